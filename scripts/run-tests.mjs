#!/usr/bin/env node
// `npm test` after bootstrap: lint, then every jest project. Results are written as jest JSON to
// .okome/test-results.json (lint counted as one test) so .ci/run can print the plain summary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.okome');
const results = join(outDir, 'test-results.json');
const lintResult = join(outDir, 'lint-result.json');
mkdirSync(outDir, { recursive: true });

const passThrough = process.argv.slice(2);
const skipLint = passThrough.includes('--no-lint');
const jestArgs = passThrough.filter((a) => a !== '--no-lint');

let lintOk = true;
if (!skipLint) {
  console.log('[test] npm run lint');
  lintOk =
    spawnSync('npm', ['run', 'lint', '--silent'], { cwd: root, stdio: 'inherit' }).status === 0;
  console.log(lintOk ? '[test] lint passed' : '[test] lint FAILED');
}
writeFileSync(lintResult, JSON.stringify({ ran: !skipLint, ok: lintOk }));

console.log('[test] jest');
const jest = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--json',
    `--outputFile=${results}`,
    ...jestArgs,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } },
);

spawnSync(process.execPath, [join(root, 'scripts', 'summarize-tests.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
const jestOk =
  jest.status === 0 && existsSync(results) && JSON.parse(readFileSync(results, 'utf8')).success;
process.exit(lintOk && jestOk ? 0 : 1);
