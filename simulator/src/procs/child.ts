// Child processes the simulator owns: spawn, wait, stop, and recognise them from pid files
// after a crash (a pid is only signalled if its command line is still the expected program).
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { sleep } from '../util/time';

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's command line, or undefined if it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000').join(' ').trim();
  } catch {
    return undefined;
  }
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Finds an executable on PATH (or an absolute path); undefined when missing. */
export function findExecutable(
  name: string,
  extraDirs: string[] = ['/usr/sbin', '/usr/local/sbin', '/sbin'],
): string | undefined {
  if (name.includes('/')) {
    try {
      accessSync(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** Sends `signal` and waits up to `ms` for the pid to go; then SIGKILL. */
export async function stopPid(
  pid: number,
  signal: NodeJS.Signals = 'SIGTERM',
  ms = 5000,
): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGCONT'); // a paused (partitioned) process cannot act on SIGTERM
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid) || isZombie(pid)) return;
    await sleep(25);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Stops the pid in `file` only if its command line contains `expect`. */
export async function stopFromPidFile(file: string, expect: string): Promise<number | undefined> {
  const pid = readPidFile(file);
  if (!pid || !isAlive(pid)) return undefined;
  const cmd = commandLine(pid);
  if (!cmd || !cmd.includes(expect)) return undefined;
  await stopPid(pid);
  return pid;
}

export function spawnChild(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
}

/** Collects the last bytes of a child's stderr for error messages. */
export function stderrTail(child: ChildProcess, max = 2000): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => {
    tail = (tail + c).slice(-max);
  });
  return () => tail.trim();
}
