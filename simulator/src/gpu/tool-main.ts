// Entry point of the fake GPU tools written under the state dir:
//   node tool-main.js nvidia-smi|rocm-smi <snapshot.json> [tool args...]
// A missing snapshot or a dead simulator reads as a driver that is not loaded.
import { readFileSync } from 'node:fs';
import { runNvidiaSmi } from './nvidia-smi';
import { runRocmSmi } from './rocm-smi';
import type { NodeGpuSnapshot } from './snapshot';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readSnapshot(file: string): NodeGpuSnapshot | undefined {
  try {
    const snap = JSON.parse(readFileSync(file, 'utf8')) as NodeGpuSnapshot;
    return alive(snap.ownerPid) ? snap : undefined;
  } catch {
    return undefined;
  }
}

export function main(argv: string[]): number {
  const [tool, file, ...args] = argv;
  if (!tool || !file) {
    process.stderr.write('usage: tool-main.js nvidia-smi|rocm-smi SNAPSHOT [args...]\n');
    return 2;
  }
  const snap = readSnapshot(file);
  const result = tool === 'rocm-smi' ? runRocmSmi(args, snap) : runNvidiaSmi(args, snap);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
