#!/usr/bin/env node
// The plugin in real Grafana (docker-compose.yaml), where Docker exists: brings Grafana up with
// dist/ mounted, then checks each page in headless chromium the way the preview tests do.
// Where Docker is absent it says so and exits 0 (skipped), so `npm run e2e:grafana` is safe anywhere.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const GRAFANA = process.env.OKOME_GRAFANA_URL ?? 'http://127.0.86.49:3001';

const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (docker.error || docker.status !== 0) {
  console.log(
    'okome-slo-app real-Grafana e2e: SKIPPED — Docker (with the compose plugin) is not available on this machine.\n' +
      'Where it is: npm run build -w grafana-plugin && OKOME_CONTROLLER_TOKEN=$(cat .okome/stack/secrets/controller.token) npm run e2e:grafana -w grafana-plugin',
  );
  process.exit(0);
}

const compose = (args) =>
  spawnSync('docker', ['compose', '-f', join(root, 'docker-compose.yaml'), ...args], {
    stdio: 'inherit',
  });
if (compose(['up', '-d']).status !== 0) process.exit(1);
let failed = false;
try {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${GRAFANA}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`Grafana did not answer at ${GRAFANA}/api/health within 120 s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.OKOME_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const plugin = JSON.parse(readFileSync(join(root, 'dist', 'plugin.json'), 'utf8'));
  for (const [path, testId] of [
    ['/a/okome-slo-app/topology', 'okome-topology-diagram'],
    ['/a/okome-slo-app/latency-budget', 'okome-latency-table'],
    ['/plugins/okome-slo-app', 'okome-config'],
  ]) {
    await page.goto(`${GRAFANA}${path}`);
    await page.waitForSelector(`[data-testid="${testId}"]`, { timeout: 60_000 });
    console.log(`ok ${path} (${plugin.info.version})`);
  }
  await browser.close();
  if (problems.length) throw new Error(problems.join('\n'));
} catch (err) {
  failed = true;
  console.error(`okome-slo-app real-Grafana e2e: FAILED — ${err.message}`);
} finally {
  compose(['down']);
}
process.exit(failed ? 1 : 0);
