// Crash-safe state file: write to a temp file, fsync, rename over the old one, fsync the folder.
// A reader therefore sees either the old or the new state, never a torn one.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { emptyState } from './types';
import type { ControllerState } from './types';

export const STATE_FILE = 'state.json';
export const LOCK_FILE = 'controller.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeFileDurably(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(join(path, '..'));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class StateStore {
  readonly path: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, STATE_FILE);
  }

  load(): ControllerState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${this.path}: not valid JSON (${(err as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || (parsed as { version?: unknown }).version !== 1)
      throw new ConfigError(`${this.path}: unknown state version (expected 1)`);
    return { ...emptyState(), ...(parsed as ControllerState) };
  }

  /**
   * One controller per state dir (the controller is single-writer). A lock left by a process
   * that died (kill -9) is taken over.
   */
  lock(): void {
    const path = join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder === process.pid) return;
      if (Number.isInteger(holder) && holder > 0 && alive(holder))
        throw new ConfigError(
          `--state-dir ${this.dir} is in use by another okome-controller (pid ${holder})`,
        );
      unlinkSync(path);
    }
    throw new ConfigError(`--state-dir ${this.dir}: could not take ${LOCK_FILE}`);
  }

  unlock(): void {
    try {
      const path = join(this.dir, LOCK_FILE);
      if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  }

  save(state: ControllerState): void {
    writeFileDurably(this.path, JSON.stringify(state, null, 2) + '\n');
  }
}
