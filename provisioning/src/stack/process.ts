// Child processes of the local stack: each runs in its own process group with its output in a
// log file, so the launcher (or `okome-stack down` after a crash) can stop it and everything it
// spawned, and a failure can be shown with the tail of its log.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

export interface SpawnedProcess {
  pid: number;
  log: string;
}

export function spawnLogged(
  command: string,
  args: string[],
  log: string,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnedProcess {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => undefined);
    child.unref();
    return { pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

/** Running, and not a zombie waiting for a parent (e.g. a container's PID 1) to reap it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the process group, then SIGKILL after `graceMs` if anything is left. */
export async function stopGroup(pid: number, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) break;
    await sleep(100);
  }
  // The leader may be gone while its children linger: kill the whole group regardless.
  signalGroup(pid, 'SIGKILL');
  while (isAlive(pid) && Date.now() < deadline + 2000) await sleep(50);
}

export function tailLog(log: string, lines = 20): string {
  if (!existsSync(log)) return '(no log)';
  const all = readFileSync(log, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
