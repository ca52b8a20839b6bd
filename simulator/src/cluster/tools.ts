// The fake GPU executables under the state dir: small shell scripts that run the tool entry
// point on the node's snapshot file, so they behave as separate programs like the real ones.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The compiled tool entry (the CLI always runs from dist/, also when tests import src/). */
export const TOOL_MAIN = resolve(__dirname, '..', '..', 'dist', 'gpu', 'tool-main.js');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function writeFakeTool(
  path: string,
  tool: 'nvidia-smi' | 'rocm-smi',
  snapshotFile: string,
  nodeId: string,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const script = [
    '#!/bin/sh',
    `# Fake ${tool} for node ${nodeId}, written by okome-sim: prints the simulated GPU state.`,
    `exec ${quote(process.execPath)} ${quote(TOOL_MAIN)} ${tool} ${quote(snapshotFile)} "$@"`,
    '',
  ].join('\n');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
}

export function toolMainBuilt(): boolean {
  return existsSync(TOOL_MAIN);
}
