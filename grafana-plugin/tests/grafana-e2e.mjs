#!/usr/bin/env node
// npm run e2e:grafana — the @grafana/plugin-e2e specs (tests/*.spec.ts) in real Grafana: brings
// up the docker-compose stack at the repository root (Grafana with grafana-plugin/dist mounted,
// Prometheus, the controller, the simulator), runs Playwright against it, and takes it down.
// Without Docker it says so and exits 0 (skipped). OKOME_E2E_TARGET=preview runs the same specs
// against the preview shell of the local stack instead (no Docker, no login).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const plugin = join(here, '..');
const root = join(plugin, '..');
const require = createRequire(import.meta.url);
const log = (line) => console.log(`okome-slo-app grafana e2e: ${line}`);

/** KEY=value lines of the repository's .env (what docker compose reads), without overriding env. */
function dotenv() {
  const file = join(root, '.env');
  if (!existsSync(file)) return {};
  const out = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function playwright(env) {
  const cli = require.resolve('@playwright/test/cli');
  const extra = process.argv.slice(2);
  return spawnSync(
    process.execPath,
    [cli, 'test', '-c', join(plugin, 'playwright.config.ts'), ...extra],
    {
      cwd: plugin,
      stdio: 'inherit',
      env: { ...process.env, ...env },
    },
  ).status;
}

if (process.env.OKOME_E2E_TARGET === 'preview') {
  log(`against the preview shell at ${process.env.GRAFANA_URL ?? 'http://127.0.86.49:3000'}`);
  process.exit(playwright({}) ?? 1);
}

const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (docker.error || docker.status !== 0) {
  log(
    'SKIPPED — Docker with the compose plugin is not available on this machine, so there is no real Grafana to test against.\n' +
      '  Where Docker is: cp .env.example .env (set OKOME_CONTROLLER_TOKEN and GF_SECURITY_ADMIN_PASSWORD),\n' +
      '  npm run build -w grafana-plugin && npm run e2e:grafana -w grafana-plugin\n' +
      '  Without Docker, the same specs run against the preview shell of the local stack:\n' +
      '  OKOME_E2E_TARGET=preview npm run e2e:grafana -w grafana-plugin',
  );
  process.exit(0);
}

if (!existsSync(join(plugin, 'dist', 'plugin.json'))) {
  log('FAILED — grafana-plugin/dist is missing: run `npm run build -w grafana-plugin` first');
  process.exit(1);
}

const env = { ...dotenv(), ...process.env };
const missing = ['OKOME_CONTROLLER_TOKEN', 'GF_SECURITY_ADMIN_PASSWORD'].filter((k) => !env[k]);
if (missing.length) {
  log(`FAILED — set ${missing.join(' and ')} in ${join(root, '.env')} (see .env.example)`);
  process.exit(1);
}
const compose = (args) =>
  spawnSync('docker', ['compose', '-f', join(root, 'docker-compose.yml'), ...args], {
    cwd: root,
    stdio: 'inherit',
  }).status;

let status = 1;
try {
  // --wait: returns once every service is healthy (Grafana included), or fails.
  if (compose(['up', '-d', '--build', '--wait', '--wait-timeout', '300']) !== 0)
    throw new Error(
      'docker compose up failed (see above; `docker compose ps` and logs tell which service)',
    );
  status =
    playwright({
      GRAFANA_URL: env.GRAFANA_URL ?? `http://localhost:${env.GRAFANA_PORT || 3000}`,
      GRAFANA_ADMIN_USER: env.GF_SECURITY_ADMIN_USER || 'admin',
      GRAFANA_ADMIN_PASSWORD: env.GF_SECURITY_ADMIN_PASSWORD,
      OKOME_CONTROLLER_TOKEN: env.OKOME_CONTROLLER_TOKEN,
    }) ?? 1;
} catch (err) {
  log(`FAILED — ${err.message}`);
} finally {
  if (process.env.OKOME_E2E_KEEP !== '1') compose(['down']);
}
process.exit(status);
