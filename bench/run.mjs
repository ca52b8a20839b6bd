#!/usr/bin/env node
// Benchmark runner: `node bench/run.mjs gpu ollama` runs bench/gpu.mjs then bench/ollama.mjs,
// each in its own Node process (so one bench's memory and timers never skew the next).
// A bench is any bench/<name>.mjs (or .js/.cjs); benches run built JS from <pkg>/dist, so
// build first (`npm run build`; `npm run bench` bootstraps and builds).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const EXTS = ['.mjs', '.js', '.cjs'];

function available() {
  return readdirSync(here)
    .filter((f) => EXTS.some((e) => f.endsWith(e)) && !f.startsWith('run.') && !f.startsWith('_'))
    .map((f) => f.replace(/\.(mjs|js|cjs)$/, ''))
    .sort();
}

function fileFor(name) {
  for (const e of EXTS) {
    const p = join(here, `${name}${e}`);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const names = args.filter((a) => !a.startsWith('--'));

if (flags.includes('--help') || flags.includes('--list')) {
  console.log(`usage: node bench/run.mjs [NAME...] [--json]

Runs bench/<NAME>.mjs for each NAME (all when none given), one process each, in order.
--json is passed to each bench (one JSON object on its last line).
Available: ${available().join(', ') || '(none)'}`);
  process.exit(0);
}

const todo = names.length ? names : available();
const unknown = todo.filter((n) => !fileFor(n));
if (unknown.length) {
  console.error(
    `bench: no bench named ${unknown.map((n) => `"${n}"`).join(', ')} (available: ${available().join(', ')})`,
  );
  process.exit(2);
}

const results = [];
for (const name of todo) {
  console.log(`\n=== bench ${name} ===`);
  const started = Date.now();
  const res = spawnSync(process.execPath, ['--expose-gc', fileFor(name), ...flags], {
    stdio: 'inherit',
    cwd: join(here, '..'),
  });
  const ok = res.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  if (!ok) console.error(`bench ${name} failed (exit ${res.status ?? res.signal})`);
}
console.log('\n=== summary ===');
for (const r of results)
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
