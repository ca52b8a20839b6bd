// The plugin's pages in headless chromium, through the preview shell, against the shared local
// stack on the simulator (preview → real Prometheus and real okome-controller). One file, so the
// steps that change the cluster (a fault, the settings) never overlap the ones that read it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '@okome/provisioning';
import type { Browser } from 'playwright-core';
import { loadTargets, startLoad } from '../dashboards/load';
import type { RunningLoad } from '../dashboards/load';
import { eventually } from '../setup/eventually';
import { ROOT, STACK } from '../setup/stack';
import { launchChromium, openGuardedPage, screenshot } from './chromium';
import type { GuardedPage } from './chromium';

// Overridable so the same tests can drive a preview started by hand beside the stack.
const PREVIEW = process.env.OKOME_PREVIEW_URL ?? STACK.preview;
const SIM_CONTROL = process.env.OKOME_SIM_CONTROL_URL ?? STACK.simulator;
const TOKEN_FILE = process.env.OKOME_CONTROLLER_TOKEN_FILE ?? STACK.tokenFile;
/** Bounded simulator load so every hop has latency series (2 req/s per target, 90 s). */
const LOAD = { rps: 2, durationSeconds: 90, maxTokens: 12 };
const WARMUP_MS = 25_000;
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

/** An instant query through the preview's datasource proxy (the same path the page uses). */
async function promQuery<T = unknown>(query: string): Promise<T[]> {
  const url = `${PREVIEW}/api/datasources/proxy/uid/okome-prometheus/api/v1/query?query=${encodeURIComponent(query)}`;
  return (await getJson<{ data: { result: T[] } }>(url)).data.result;
}

interface ControllerTopology {
  nodes: Array<{ id: string; health: string }>;
  pools: Array<{ name: string; backends: Array<{ node: string; state: string }> }>;
}

describe('okome-slo-app in the preview shell', () => {
  let browser: Browser;
  let guarded: GuardedPage[] = [];
  let load: RunningLoad | undefined;

  const open = async () => {
    const g = await openGuardedPage(browser, PREVIEW);
    guarded.push(g);
    return g;
  };

  beforeAll(async () => {
    await eventually(() => getJson(`${PREVIEW}/api/health`), { timeoutMs: 60_000 });
    if (!existsSync(STACK.derivedInventory)) {
      throw new Error(`the shared stack is not up: no ${STACK.derivedInventory}`);
    }
    load = startLoad(
      STACK.derivedInventory,
      loadTargets(loadInventory(STACK.derivedInventory)),
      LOAD,
    );
    browser = await launchChromium();
    // A few scrapes and rule evaluations, so rate() over the page's range has points.
    await new Promise((r) => setTimeout(r, WARMUP_MS));
  }, 120_000);

  afterEach(async () => {
    for (const g of guarded) await g.page.close();
    guarded = [];
  });

  afterAll(async () => {
    await browser?.close();
    load?.stop();
    await load?.done;
  }, 30_000);

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
      // Key numbers as Prometheus has them: GPU memory per engine against its budget wherever
      // the exporters report it, and an explicit "no GPU memory series" where they do not.
      const gpu = await promQuery<{ metric: { node?: string } }>(
        'count by (node) (gpu_arbiter_engine_memory_used_bytes)',
      );
      const withGpu = new Set(gpu.map((r) => r.metric.node));
      for (const node of inventory.nodes.filter((n) => n.roles.some((r) => r.startsWith('gpu-')))) {
        const card = `[data-testid="okome-topology-node-${node.id}"]`;
        await page.waitForSelector(
          withGpu.has(node.id)
            ? `${card} >> text=/GiB \\/ [0-9.]+ GiB/`
            : `${card} >> text=no GPU memory series`,
          { timeout: 30_000 },
        );
      }
      await settle();
      await screenshot(page, `topology-${theme}`);
      // A node's side panel: its series over the time range and links to the dashboards.
      await page.click('[data-testid="okome-topology-node-CORE"]');
      await page.waitForSelector(
        '[data-testid="okome-topology-side-panel"] >> text=Time to first token p95',
      );
      await page.waitForSelector(
        '[data-testid="okome-topology-side-panel"] >> text=GPU arbitration',
      );
      await settle();
      await screenshot(page, `topology-node-panel-${theme}`);
      expect(problems).toEqual([]);
    }
  }, 180_000);

  it('Latency budget shows numbers for every hop that carries traffic, and says so where none does', async () => {
    for (const theme of THEMES) {
      const { page, problems, settle } = await open();
      await page.goto(`${APP}/latency-budget?theme=${theme}&refresh=10s`);
      await page.waitForSelector('[data-testid="okome-latency-table"]', { timeout: 30_000 });
      // A relaying hop's own latency is first-token time at the hop minus at the next hop, so
      // it has numbers when both carry traffic.
      const moving = (metric: string, hop: string) =>
        `(sum(increase(${metric}_count{hop="${hop}"}[15m])) > 0)`;
      const ttft = 'llm_time_to_first_token_seconds';
      const rows: Array<[string, string]> = [
        ['ingress', `${moving(ttft, 'ingress')} and on() ${moving(ttft, 'cache')}`],
        ['cache', `${moving(ttft, 'cache')} and on() ${moving(ttft, 'engine')}`],
        ['gateway', `${moving(ttft, 'gateway')} and on() ${moving(ttft, 'engine')}`],
        ['engine-first-token', moving(ttft, 'engine')],
        ['engine-inter-token', moving('llm_inter_token_latency_seconds', 'engine')],
      ];
      for (const [row, query] of rows) {
        const hasTraffic = (await promQuery(query)).length > 0;
        // OKOME's gateway is a control plane, not a per-token relay: no series there is right.
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

  it('a down fault on CORE shows CORE failing and the engine pool drained, as the controller reports', async () => {
    const { page, problems } = await open();
    await page.goto(`${APP}/topology?theme=dark&refresh=5s`);
    await page.waitForSelector(ids.nodeHealth('CORE'));
    // Traffic through the engine pool, so the backend-down alert has requests to fail.
    const faultLoad = startLoad(
      STACK.derivedInventory,
      loadTargets(loadInventory(STACK.derivedInventory)),
      { ...LOAD, durationSeconds: 150 },
    );
    const fault = await getJson<{ id: string }>(`${SIM_CONTROL}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'CORE', kind: 'down', duration: '4m' }),
    });
    try {
      await eventually(
        async () => {
          const topo = await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`);
          const reported = topo.nodes.find((n) => n.id === 'CORE')?.health;
          expect(reported).not.toBe('HEALTHY');
          expect(((await page.textContent(ids.nodeHealth('CORE'))) ?? '').trim()).toBe(reported);
          const state = await page
            .locator(ids.backend('engine', 'CORE'))
            .getAttribute('data-state');
          expect(state).toMatch(/^(drain|disabled)$/);
        },
        { timeoutMs: 150_000, intervalMs: 2000 },
      );
      await screenshot(page, 'topology-core-down-dark');
      expect(problems).toEqual([]);
    } finally {
      await fetch(`${SIM_CONTROL}/faults/${encodeURIComponent(fault.id)}`, { method: 'DELETE' });
      faultLoad.stop();
      await faultLoad.done;
    }
  }, 330_000);
});
