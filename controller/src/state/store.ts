// Crash-safe state file: write to a temp file, fsync, rename over the old one, fsync the folder.
// A reader therefore sees either the old or the new state, never a torn one.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { emptyState } from './types';
import type { ControllerState } from './types';

export const STATE_FILE = 'state.json';

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

  save(state: ControllerState): void {
    writeFileDurably(this.path, JSON.stringify(state, null, 2) + '\n');
  }
}
