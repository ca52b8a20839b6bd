// The run file `<state-dir>/sim.json`: who runs this simulation and which real processes it
// started, so `status` can find it and `down` can clean up even after a crash.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunFile {
  pid: number;
  cluster: string;
  source: string;
  inventory: string;
  controlUrl: string;
  startedAt: string;
  redis: Array<{ node: string; pidFile: string }>;
  nginx: Array<{ node: string; pidFile: string }>;
}

export const runFilePath = (stateDir: string) => join(stateDir, 'sim.json');
export const derivedInventoryPath = (stateDir: string) => join(stateDir, 'inventory.yaml');

export function readRunFile(stateDir: string): RunFile | undefined {
  try {
    return JSON.parse(readFileSync(runFilePath(stateDir), 'utf8')) as RunFile;
  } catch {
    return undefined;
  }
}

export function writeRunFile(stateDir: string, run: RunFile): void {
  const file = runFilePath(stateDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(run, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeRunFile(stateDir: string): void {
  const file = runFilePath(stateDir);
  if (existsSync(file)) unlinkSync(file);
}
