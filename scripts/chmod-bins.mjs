#!/usr/bin/env node
// tsc writes the packages' CLIs without the executable bit; npm's bin links need it.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  for (const target of Object.values(pkg.bin ?? {})) {
    const path = join(root, ws, target);
    if (existsSync(path)) chmodSync(path, 0o755);
  }
}
