// `okome-sim status` and `okome-sim down`.
import { resolve } from 'node:path';
import { readRunFile, removeRunFile } from '../cluster/runfile';
import type { NodeState } from '../cluster/sim';
import { isAlive, stopFromPidFile, stopPid } from '../procs/child';

interface StateBody {
  cluster: string;
  inventory: string;
  controlUrl: string;
  pid: number;
  ready: boolean;
  nodes: NodeState[];
  faults: Array<{ id: string; node: string; kind: string; expiresAt: string }>;
}

export async function status(stateDirArg: string, json: boolean): Promise<number> {
  const stateDir = resolve(stateDirArg);
  const run = readRunFile(stateDir);
  if (!run || !isAlive(run.pid)) {
    if (json) process.stdout.write(`${JSON.stringify({ running: false, stateDir })}\n`);
    else process.stdout.write(`okome-sim is not running (state dir ${stateDir})\n`);
    return 3;
  }
  let state: StateBody;
  try {
    const res = await fetch(`${run.controlUrl}/state`, { signal: AbortSignal.timeout(3000) });
    state = (await res.json()) as StateBody;
  } catch (err) {
    const msg = `okome-sim (pid ${run.pid}) does not answer on ${run.controlUrl}: ${(err as Error).message}`;
    if (json)
      process.stdout.write(
        `${JSON.stringify({ running: true, ready: false, pid: run.pid, error: msg })}\n`,
      );
    else process.stderr.write(`${msg}\n`);
    return 1;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ running: true, ...state })}\n`);
    return state.ready ? 0 : 1;
  }
  const lines = [
    `cluster   ${state.cluster} (pid ${state.pid}, ${state.ready ? 'ready' : 'NOT READY'})`,
    `inventory ${state.inventory}`,
    `control   ${state.controlUrl}`,
    '',
  ];
  for (const n of state.nodes) {
    const services = n.services
      .map((s) => `${s.name}@${s.port}${s.up ? '' : `(${s.state ?? 'down'})`}`)
      .join(' ');
    lines.push(
      `${n.id.padEnd(18)} ${n.address.padEnd(15)} ${n.state.padEnd(11)} ${services || '-'}`,
    );
    for (const g of n.gpus)
      lines.push(
        `${''.padEnd(35)} gpu${g.index} ${g.name}: ${g.memoryUsedMiB}/${g.memoryTotalMiB} MiB, ${g.utilization}%${g.xid ? `, XID ${g.xid}` : ''}`,
      );
  }
  lines.push(
    '',
    state.faults.length
      ? `faults    ${state.faults.map((f) => `${f.id} ${f.kind}@${f.node} until ${f.expiresAt}`).join('\n          ')}`
      : 'faults    none',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return state.ready ? 0 : 1;
}

export async function down(stateDirArg: string): Promise<number> {
  const stateDir = resolve(stateDirArg);
  const run = readRunFile(stateDir);
  if (!run) {
    process.stdout.write(`okome-sim is not running (no ${stateDir}/sim.json)\n`);
    return 0;
  }
  if (isAlive(run.pid)) {
    await stopPid(run.pid, 'SIGTERM', 20_000);
  }
  let leftovers = 0;
  for (const r of run.redis) if (await stopFromPidFile(r.pidFile, 'redis-server')) leftovers++;
  for (const n of run.nginx) if (await stopFromPidFile(n.pidFile, 'nginx')) leftovers++;
  removeRunFile(stateDir);
  process.stdout.write(
    `okome-sim stopped (${run.cluster}, pid ${run.pid}${leftovers ? `; cleaned ${leftovers} leftover process(es)` : ''})\n`,
  );
  return 0;
}
