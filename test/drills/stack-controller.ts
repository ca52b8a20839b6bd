// The shared stack's controller runs from controller/dist. When it predates the drill engine
// (GET /api/v1/drills answers 404), the drill e2e restarts it from the current build, the way
// the launcher started it (same command, log and state dir), and records the new pid so
// `okome-stack status|down` keep managing it. The controller's state is crash-safe, so a restart
// loses nothing.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../setup/stack';

const STATE = join(ROOT, '.okome', 'stack', 'state.json');

interface StackState {
  components: { name: string; pid: number; command: string; log: string; health: string }[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function restartStackController(): Promise<number> {
  const state = JSON.parse(readFileSync(STATE, 'utf8')) as StackState;
  const c = state.components.find((x) => x.name === 'controller');
  if (!c) throw new Error(`${STATE}: no controller component`);
  if (alive(c.pid)) {
    // SIGTERM to the process group the launcher made (the controller leads it).
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      process.kill(c.pid, 'SIGTERM');
    }
    const deadline = Date.now() + 20_000;
    while (alive(c.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(c.pid)) throw new Error(`controller ${c.pid} did not stop on SIGTERM`);
  }
  const [cmd, ...args] = c.command.split(' ') as [string, ...string[]];
  const log = openSync(c.log, 'a');
  const child = spawn(cmd, args, { cwd: ROOT, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  c.pid = child.pid as number;
  writeFileSync(STATE, JSON.stringify(state, null, 2) + '\n');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(c.health, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return c.pid;
    } catch {
      // still starting
    }
    if (Date.now() > deadline) throw new Error(`controller did not become ready; see ${c.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
