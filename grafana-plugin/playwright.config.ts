// @grafana/plugin-e2e specs (tests/*.spec.ts) against real Grafana: the docker-compose stack at
// the repository root, started by `npm run e2e:grafana` (tests/grafana-e2e.mjs). Set
// OKOME_E2E_TARGET=preview to run the same specs against the preview shell of the local stack
// (no login there, no Docker needed). Browsers are never downloaded: a system Chromium is used
// when there is one (OKOME_CHROMIUM, default /usr/bin/chromium), else Playwright's own, which
// only `npx playwright install chromium` fetches.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';

const preview = process.env.OKOME_E2E_TARGET === 'preview';
const baseURL =
  process.env.GRAFANA_URL ?? (preview ? 'http://127.0.86.49:3000' : 'http://localhost:3000');
const chromium = process.env.OKOME_CHROMIUM ?? '/usr/bin/chromium';
const launchOptions = existsSync(chromium)
  ? { executablePath: chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }
  : {};
// plugin-e2e's login step (its `auth` project) stores the admin session here.
const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
const adminState = `playwright/.auth/${process.env.GRAFANA_ADMIN_USER ?? 'admin'}.json`;

export default defineConfig<PluginOptions>({
  testDir: './tests',
  testMatch: /.*\.spec\.ts$/,
  outputDir: '../test-results/okome-slo-app-grafana-e2e',
  // The specs share one stack and one plugin setting: one at a time.
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [['list']],
  timeout: 90_000,
  expect: { timeout: 30_000 },
  use: {
    baseURL,
    trace: 'retain-on-failure',
    viewport: { width: 1600, height: 1000 },
    launchOptions,
  },
  projects: preview
    ? [{ name: 'preview', use: { ...devices['Desktop Chrome'], launchOptions } }]
    : [
        { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
        {
          name: 'grafana',
          use: { ...devices['Desktop Chrome'], launchOptions, storageState: adminState },
          dependencies: ['auth'],
        },
      ],
});
