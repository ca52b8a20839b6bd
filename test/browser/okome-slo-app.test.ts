// The plugin's pages in headless chromium, through the preview shell, against the shared local
// stack on the simulator (preview → real Prometheus and real okome-controller). One file, so the
// steps that change the cluster (a fault, the settings) never overlap the ones that read it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '@okome/provisioning';
import type { Browser } from 'playwright-core';
import { eventually } from '../setup/eventually';
import { ROOT } from '../setup/stack';
import { launchChromium, openGuardedPage, screenshot } from './chromium';
import type { GuardedPage } from './chromium';

const PREVIEW = process.env.OKOME_PREVIEW_URL ?? 'http://127.0.86.49:3000';
const SIM_CONTROL = process.env.OKOME_SIM_CONTROL_URL ?? 'http://127.0.0.1:9800';
const TOKEN_FILE =
  process.env.OKOME_CONTROLLER_TOKEN_FILE ??
  join(ROOT, '.okome', 'stack', 'secrets', 'controller.token');
const APP = `${PREVIEW}/a/okome-slo-app`;
const CONTROLLER = `${PREVIEW}/api/plugin-proxy/okome-slo-app/controller`;
const inventory = loadInventory(join(ROOT, 'provisioning', 'inventory', 'okome.yaml'));
const THEMES = ['dark', 'light'] as const;

const ids = {
  nodeHealth: (id: string) => `[data-testid="okome-topology-node-health-${id}"]`,
  backend: (pool: string, node: string) => `[data-testid="okome-topology-backend-${pool}-${node}"]`,
  hopRow: (hop: string) => `[data-testid="okome-latency-hop-${hop}"]`,
};

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface ControllerTopology {
  nodes: Array<{ id: string; health: string }>;
  pools: Array<{ name: string; backends: Array<{ node: string; state: string }> }>;
}

describe('okome-slo-app in the preview shell', () => {
  let browser: Browser;
  let guarded: GuardedPage[] = [];

  const open = async () => {
    const g = await openGuardedPage(browser, PREVIEW);
    guarded.push(g);
    return g;
  };

  beforeAll(async () => {
    await eventually(() => getJson(`${PREVIEW}/api/health`), { timeoutMs: 60_000 });
    browser = await launchChromium();
  }, 90_000);

  afterEach(async () => {
    for (const g of guarded) await g.page.close();
    guarded = [];
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('Topology shows every OKOME node with the health the controller reports', async () => {
    for (const theme of THEMES) {
      const { page, problems, settle } = await open();
      await page.goto(`${APP}/topology?theme=${theme}&refresh=5s`);
      for (const node of inventory.nodes) {
        await page.waitForSelector(ids.nodeHealth(node.id), { timeout: 30_000 });
      }
      await eventually(
        async () => {
          const topo = await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`);
          const shown: Record<string, string> = {};
          const expected: Record<string, string> = {};
          for (const node of inventory.nodes) {
            shown[node.id] = ((await page.textContent(ids.nodeHealth(node.id))) ?? '').trim();
            expected[node.id] = topo.nodes.find((n) => n.id === node.id)?.health ?? 'missing';
          }
          expect(shown).toEqual(expected);
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
      // Key numbers from the real exporters: CORE shows GPU memory per engine against budget.
      await page.waitForSelector(
        '[data-testid="okome-topology-node-CORE"] >> text=/GiB \\/ [0-9.]+ GiB/',
        {
          timeout: 30_000,
        },
      );
      await page.click('[data-testid="okome-topology-node-CORE"]');
      await page.waitForSelector(
        '[data-testid="okome-topology-side-panel"] >> text=Time to first token p95',
      );
      await settle();
      await screenshot(page, `topology-${theme}`);
      expect(problems).toEqual([]);
    }
  }, 180_000);

  it('a down fault on CORE turns it UNAVAILABLE and shows the engine pool drained', async () => {
    const { page, problems } = await open();
    await page.goto(`${APP}/topology?theme=dark&refresh=5s`);
    await page.waitForSelector(ids.nodeHealth('CORE'));
    const fault = await getJson<{ id: string }>(`${SIM_CONTROL}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'CORE', kind: 'down', duration: '4m' }),
    });
    try {
      await page.waitForSelector(`${ids.nodeHealth('CORE')} >> text=UNAVAILABLE`, {
        timeout: 150_000,
      });
      const backend = page.locator(ids.backend('engine', 'CORE'));
      await eventually(
        async () => expect(await backend.getAttribute('data-state')).toMatch(/^(drain|disabled)$/),
        { timeoutMs: 150_000, intervalMs: 2000 },
      );
      await screenshot(page, 'topology-core-down-dark');
      expect(problems).toEqual([]);
    } finally {
      await fetch(`${SIM_CONTROL}/faults/${encodeURIComponent(fault.id)}`, { method: 'DELETE' });
    }
  }, 330_000);

  it('Latency budget shows numbers for every hop that carries traffic, and says so where none does', async () => {
    const prom = `${PREVIEW}/api/datasources/proxy/uid/okome-prometheus/api/v1/query`;
    for (const theme of THEMES) {
      const { page, problems, settle } = await open();
      await page.goto(`${APP}/latency-budget?theme=${theme}&refresh=10s`);
      await page.waitForSelector('[data-testid="okome-latency-table"]', { timeout: 30_000 });
      const rows: Array<[string, string, string]> = [
        ['ingress', 'llm_hop_added_latency_seconds_count', 'ingress'],
        ['cache', 'llm_hop_added_latency_seconds_count', 'cache'],
        ['gateway', 'llm_hop_added_latency_seconds_count', 'gateway'],
        ['engine-first-token', 'llm_time_to_first_token_seconds_count', 'engine'],
        ['engine-inter-token', 'llm_inter_token_latency_seconds_count', 'engine'],
      ];
      for (const [row, metric, hop] of rows) {
        const series = await getJson<{ data: { result: unknown[] } }>(
          `${prom}?query=${encodeURIComponent(`${metric}{hop="${hop}"}`)}`,
        );
        const hasTraffic = series.data.result.length > 0;
        if (row !== 'gateway') expect([row, hasTraffic]).toEqual([row, true]);
        const cells = page.locator(`tr:has(${ids.hopRow(row)}) td`);
        await eventually(
          async () => {
            const text = (await cells.allTextContents()).join(' | ');
            if (hasTraffic)
              expect(text).toMatch(
                /\d+(\.\d+)? (µs|ms|s) \| \d+(\.\d+)? (µs|ms|s) \| \d+(\.\d+)? (µs|ms|s)/,
              );
            else expect(text).toContain('no data in this range');
          },
          { timeoutMs: 60_000, intervalMs: 2000 },
        );
      }
      await page.waitForSelector('[data-testid="okome-latency-stacked"]');
      await settle();
      await screenshot(page, `latency-budget-${theme}`);
      expect(problems).toEqual([]);
    }
  }, 240_000);

  it('Config saves, and the controller token never reaches the browser', async () => {
    const token = readFileSync(TOKEN_FILE, 'utf8').split('\n')[0]?.trim() ?? '';
    expect(token.length).toBeGreaterThanOrEqual(16);
    const g = await open();
    const { page, problems, received, settle } = g;
    await page.goto(`${PREVIEW}/plugins/okome-slo-app?theme=dark`);
    await page.waitForSelector('[data-testid="okome-config"]');
    // Replace the token with the same value: a real save round trip that leaves the stack working.
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.fill('[data-testid="okome-config-controller-token"]', token);
    await page.click('[data-testid="okome-config-save"]');
    await page.waitForSelector('[data-testid="okome-config-saved"]');
    await page.waitForSelector('[data-testid="okome-config-check-controller"][data-state="ok"]', {
      timeout: 30_000,
    });
    await page.waitForSelector('[data-testid="okome-config-check-prometheus"][data-state="ok"]');
    // After a reload the page knows the token is set, without having it.
    await page.reload();
    await page.getByRole('button', { name: 'Reset' }).waitFor();
    expect(await page.inputValue('[data-testid="okome-config-controller-token"]')).not.toContain(
      token,
    );
    await settle();
    await screenshot(page, 'config-dark');

    const settings = received.filter((r) => r.url.endsWith('/api/plugins/okome-slo-app/settings'));
    expect(settings.length).toBeGreaterThan(0);
    for (const r of settings.filter((s) => s.body.startsWith('{"id"'))) {
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(body.secureJsonData).toBeUndefined();
      expect(body.secureJsonFields).toEqual({ controllerToken: true });
    }
    const leaks = received.filter((r) => r.body.includes(token) || r.headers.includes(token));
    expect(leaks.map((r) => r.url)).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('Failover drills says plainly that it is not available yet', async () => {
    const { page, problems } = await open();
    await page.goto(`${APP}/drills?theme=dark`);
    await page.waitForSelector('[data-testid="okome-drills"] >> text=not yet available');
    expect(problems).toEqual([]);
  }, 60_000);
});
