// nginx actuator: rewrite the pool's upstream file atomically on every frontend node, `nginx -t`,
// reload, and verify that the master started workers on the new config and that `nginx -T`
// serves the new upstream. Any failure restores the previous files and reloads again.
// Reload keeps old workers until their in-flight streams end, so token streams survive.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { InventoryNode } from '@okome/provisioning';
import { ActuatorError } from '../errors';
import { faultPoint } from '../faults';
import { writeFileDurably } from '../state/store';
import { run, sleep } from './proc';
import { renderUpstream } from './render-nginx';
import type { Actuator, PoolChange } from './types';

export interface NginxTarget {
  node: string;
  conf: string;
  prefix: string;
  upstreamFile: string;
}

export interface NginxOptions {
  binary?: string;
  /** How long to wait for the reloaded master to start new workers. */
  reloadTimeoutMs?: number;
}

export function nginxTargets(change: Pick<PoolChange, 'inventory' | 'pool'>): NginxTarget[] {
  return change.pool.frontends.map((id) => {
    const node = change.inventory.nodes.find((n) => n.id === id) as InventoryNode | undefined;
    const conf = node?.tools?.nginxConf;
    const dir = node?.tools?.nginxUpstreamDir;
    if (!conf || !dir)
      throw new ActuatorError(
        'nginx',
        `frontend ${id} of pool ${change.pool.name} has no tools.nginxConf/tools.nginxUpstreamDir in the inventory`,
      );
    // nginx's own layout is PREFIX/conf/nginx.conf; the simulator keeps nginx.conf in PREFIX.
    const confDir = dirname(resolve(conf));
    return {
      node: id,
      conf: resolve(conf),
      prefix: basename(confDir) === 'conf' ? dirname(confDir) : confDir,
      upstreamFile: join(resolve(dir), `${change.pool.name}.conf`),
    };
  });
}

function readOrUndefined(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Pids of the master's worker processes (Linux /proc). */
function workerPids(masterPid: number): Set<number> {
  const out = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === masterPid) out.add(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function isShuttingDown(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return true;
  }
}

export class NginxActuator implements Actuator {
  readonly name = 'nginx';
  private readonly binary: string;
  private readonly reloadTimeoutMs: number;
  /** Files as they were before the last apply, per action, for an exact restore. */
  private readonly snapshots = new Map<string, Map<string, string | undefined>>();

  constructor(opts: NginxOptions = {}) {
    this.binary = opts.binary ?? 'nginx';
    this.reloadTimeoutMs = opts.reloadTimeoutMs ?? 10_000;
  }

  render(change: Pick<PoolChange, 'inventory' | 'pool' | 'desired'>): string {
    return renderUpstream(change.inventory, change.pool.name, change.desired, {
      loopback: change.inventory.simulated,
    });
  }

  async apply(change: PoolChange): Promise<void> {
    const text = this.render(change);
    const targets = nginxTargets(change);
    const snap = new Map<string, string | undefined>();
    for (const t of targets) snap.set(t.upstreamFile, readOrUndefined(t.upstreamFile));
    this.snapshots.set(change.actionId, snap);
    // Always test and reload, even when the file already holds `text`: after a crash between
    // the write and the reload, the file is right but nginx still serves the old upstream.
    for (const t of targets) {
      writeFileDurably(t.upstreamFile, text);
      faultPoint('after-write');
      await this.testConfig(t);
      await this.reload(t);
      faultPoint('after-reload');
    }
  }

  async verify(change: PoolChange): Promise<void> {
    const text = this.render(change);
    const upstream = text.slice(text.search(/^upstream /m));
    for (const t of nginxTargets(change)) {
      const r = await run(this.binary, ['-p', t.prefix, '-c', t.conf, '-T']);
      if (r.code !== 0)
        throw new ActuatorError('nginx', `${t.node}: nginx -T failed: ${r.stderr.trim()}`);
      if (!r.stdout.includes(upstream))
        throw new ActuatorError(
          'nginx',
          `${t.node}: nginx -T does not contain the new upstream ${change.pool.name}`,
        );
    }
  }

  async rollback(change: PoolChange): Promise<void> {
    const snap = this.snapshots.get(change.actionId);
    this.snapshots.delete(change.actionId);
    const previousText = this.render({ ...change, desired: change.previous });
    const errors: string[] = [];
    for (const t of nginxTargets(change)) {
      const before = snap?.get(t.upstreamFile) ?? previousText;
      try {
        writeFileDurably(t.upstreamFile, before);
        await this.reload(t);
      } catch (err) {
        errors.push(`${t.node}: ${(err as Error).message}`);
      }
    }
    if (errors.length) throw new ActuatorError('nginx', `rollback failed: ${errors.join('; ')}`);
  }

  /** Forget the snapshot of an action that finished. */
  settle(actionId: string): void {
    this.snapshots.delete(actionId);
  }

  private async testConfig(t: NginxTarget): Promise<void> {
    const r = await run(this.binary, ['-p', t.prefix, '-c', t.conf, '-t']);
    if (r.code !== 0)
      throw new ActuatorError('nginx', `${t.node}: nginx -t failed: ${r.stderr.trim()}`);
  }

  private masterPid(t: NginxTarget, conf: string): number {
    const m = /^\s*pid\s+([^;]+);/m.exec(conf);
    const pidFile = m
      ? resolve(t.prefix, (m[1] as string).trim())
      : join(t.prefix, 'logs', 'nginx.pid');
    const pid = Number(readOrUndefined(pidFile)?.trim());
    if (!Number.isInteger(pid) || pid <= 0)
      throw new ActuatorError('nginx', `${t.node}: no running nginx master (pid file ${pidFile})`);
    return pid;
  }

  /** `nginx -s reload`, then wait until the master runs a worker it did not have before. */
  private async reload(t: NginxTarget): Promise<void> {
    const master = this.masterPid(t, readFileSync(t.conf, 'utf8'));
    const before = workerPids(master);
    const r = await run(this.binary, ['-p', t.prefix, '-c', t.conf, '-s', 'reload']);
    if (r.code !== 0)
      throw new ActuatorError('nginx', `${t.node}: nginx -s reload failed: ${r.stderr.trim()}`);
    // Served = a new worker runs and every old one stopped accepting (it exits, or retitles
    // itself "shutting down" while it finishes in-flight streams).
    const deadline = Date.now() + this.reloadTimeoutMs;
    while (Date.now() < deadline) {
      const now = workerPids(master);
      const started = [...now].some((p) => !before.has(p));
      const oldAccepting = [...before].filter((p) => now.has(p) && !isShuttingDown(p));
      if (started && oldAccepting.length === 0) return;
      await sleep(25);
    }
    throw new ActuatorError(
      'nginx',
      `${t.node}: master ${master} started no new workers within ${this.reloadTimeoutMs} ms of the reload (config rejected?)`,
    );
  }
}
