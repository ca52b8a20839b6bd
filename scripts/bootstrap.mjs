#!/usr/bin/env node
// Brings a fresh Debian machine with Node 20 to a state where the stack and the tests run:
// npm packages, the Debian servers the stack uses, and the build. Node built-ins only, because
// it runs before node_modules exists. Idempotent: each step checks before it acts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, unlinkSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));

if (args.has('--help')) {
  console.log(`usage: node scripts/bootstrap.mjs [--no-build] [--no-apt]

Installs what is missing and builds:
  npm ci            when node_modules is absent or older than package-lock.json
  apt-get install   the Debian servers the stack runs (when root; else prints the line to run)
  npm run build     TypeScript packages and the Grafana plugin`);
  process.exit(0);
}

const say = (msg) => console.log(`[bootstrap] ${msg}`);

function run(cmd, cmdArgs, opts = {}) {
  say(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    console.error(
      `[bootstrap] failed: ${cmd} ${cmdArgs.join(' ')} (exit ${res.status ?? res.signal})`,
    );
    process.exit(res.status || 1);
  }
}

// --- Node version -------------------------------------------------------------------------
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(
    `[bootstrap] Node ${process.versions.node} is too old: Node 20 or newer is required.`,
  );
  process.exit(1);
}

// --- npm packages -------------------------------------------------------------------------
const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .digest('hex');
const marker = join(root, 'node_modules', '.okome-lock.sha256');
const installed = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
if (installed !== lockHash) {
  say(
    existsSync(join(root, 'node_modules'))
      ? 'package-lock.json changed: reinstalling'
      : 'installing npm packages',
  );
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(marker, `${lockHash}\n`);
} else {
  say('npm packages up to date');
}

// --- Debian packages ----------------------------------------------------------------------
// Binary → Debian package that ships it. The stack, the tests and the benchmarks use the real
// servers, never mocks.
const DEBIAN = [
  ['prometheus', 'prometheus'],
  ['promtool', 'prometheus'],
  ['prometheus-alertmanager', 'prometheus-alertmanager'],
  ['amtool', 'prometheus-alertmanager'],
  ['redis-server', 'redis-server'],
  ['redis-cli', 'redis-tools'],
  ['nginx', 'nginx-light'],
  ['haproxy', 'haproxy'],
  ['chromium', 'chromium'],
  ['prometheus-redis-exporter', 'prometheus-redis-exporter'],
  ['/usr/lib/redis/modules/redisearch.so', 'redis-redisearch'], // redis collector's module test
];
const onPath = (bin) =>
  (bin.startsWith('/') && existsSync(bin)) ||
  ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((d) =>
    existsSync(join(d, bin)),
  );
const missing = [...new Set(DEBIAN.filter(([bin]) => !onPath(bin)).map(([, pkg]) => pkg))];

if (args.has('--no-apt') || missing.length === 0) {
  say(
    missing.length ? `skipping Debian packages: ${missing.join(' ')}` : 'Debian packages present',
  );
} else if (process.getuid && process.getuid() === 0) {
  say(`installing Debian packages: ${missing.join(' ')}`);
  // Debian would start each server as a system service on install; the stack starts its own
  // copies on loopback, so keep the system ones from starting and taking the ports.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-q'], { env });
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  } finally {
    if (ownPolicy) unlinkSync(policy);
  }
} else {
  console.error(`[bootstrap] missing Debian packages; run as root:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  process.exit(1);
}

// --- build --------------------------------------------------------------------------------
if (!args.has('--no-build')) run('npm', ['run', 'build', '--silent']);
say('ready');
