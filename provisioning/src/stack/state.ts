// The launcher's record of what it started, so `status` and `down` work from any shell and
// after the launcher itself died.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StackLayout } from './layout';

export interface RunningComponent {
  name: string;
  kind: string;
  url: string;
  health: string;
  pid: number;
  log: string;
  command: string;
}

export interface StackState {
  inventory: string;
  cluster: string;
  sim: boolean;
  timeScale: number;
  launcherPid: number;
  startedAt: string;
  components: RunningComponent[];
}

export function readState(layout: StackLayout): StackState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

export function writeState(layout: StackLayout, state: StackState): void {
  const tmp = `${layout.stateFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, layout.stateFile);
}
