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
/** The Topology page's refresh picker in the fault test, in seconds. */
const REFRESH_S = 5;
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
  pools: Array<{
    name: string;
    backends: Array<{ node: string; state: string; why?: string; actor?: string | null }>;
  }>;
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
      // the exporters report it, and an explicit "no GPU memory series" where they do not. Both
      // sides are read again until they agree: a drill of another e2e file running in parallel
      // (gpu-xid, a node down) may take a node's GPU series away or bring them back meanwhile.
      await eventually(
        async () => {
          const gpu = await promQuery<{ metric: { node?: string } }>(
            'count by (node) (gpu_arbiter_engine_memory_used_bytes)',
          );
          const withGpu = new Set(gpu.map((r) => r.metric.node));
          const shown: Record<string, boolean> = {};
          const expected: Record<string, boolean> = {};
          for (const node of inventory.nodes.filter((n) =>
            n.roles.some((r) => r.startsWith('gpu-')),
          )) {
            const text =
              (await page.textContent(`[data-testid="okome-topology-node-${node.id}"]`)) ?? '';
            expected[node.id] = withGpu.has(node.id);
            if (/GiB \/ [0-9.]+ GiB/.test(text)) shown[node.id] = true;
            else if (text.includes('no GPU memory series')) shown[node.id] = false;
          }
          expect(shown).toEqual(expected);
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
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

  it('a down fault on CORE turns it UNAVAILABLE with the engine pool drained, and both clear after', async () => {
    const { page, problems } = await open();
    await page.goto(`${APP}/topology?theme=dark&refresh=${REFRESH_S}s`);
    await page.waitForSelector(ids.nodeHealth('CORE'));
    const shownHealth = async () => ((await page.textContent(ids.nodeHealth('CORE'))) ?? '').trim();
    const coreRow = page.locator(ids.backend('engine', 'CORE'));
    const coreOf = (topo: ControllerTopology) => ({
      health: topo.nodes.find((n) => n.id === 'CORE')?.health,
      routing: topo.pools.find((p) => p.name === 'engine')?.backends.find((b) => b.node === 'CORE'),
    });
    // Traffic through the engine pool, so the backend-down alert has requests to fail.
    const faultLoad = startLoad(
      STACK.derivedInventory,
      loadTargets(loadInventory(STACK.derivedInventory)),
      { ...LOAD, durationSeconds: 150 },
    );
    let faultId: string | undefined;
    const removeFault = async () => {
      if (faultId === undefined) return;
      const res = await fetch(`${SIM_CONTROL}/faults/${encodeURIComponent(faultId)}`, {
        method: 'DELETE',
      });
      if (!res.ok && res.status !== 404)
        throw new Error(`DELETE fault ${faultId}: HTTP ${res.status} ${await res.text()}`);
      faultId = undefined;
    };
    try {
      // At rest first, so the change below is the fault's doing. (HEALTHY is not required: a
      // burn alert from the load may still mark CORE DEGRADED.)
      await eventually(
        async () => {
          const core = coreOf(await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`));
          expect(core.health).toMatch(/^(HEALTHY|DEGRADED)$/);
          expect(core.routing?.state).toBe('enabled');
        },
        { timeoutMs: 60_000, intervalMs: 2000 },
      );
      faultId = (
        await getJson<{ id: string }>(`${SIM_CONTROL}/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ node: 'CORE', kind: 'down', duration: '4m' }),
        })
      ).id;
      // The controller sees every CORE service gone (probes, ollama_up) and the routing alert
      // drains CORE from the engine pool.
      const drainedCore = async (): Promise<
        ControllerTopology['pools'][number]['backends'][number]
      > => {
        const core = coreOf(await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`));
        expect(core.health).toBe('UNAVAILABLE');
        expect(core.routing?.state).toMatch(/^(drain|disabled)$/);
        // Drained by the routing alert (actor alert:<fingerprint>), with its reason.
        expect(core.routing?.actor).toMatch(/^alert:/);
        expect(core.routing?.why).toBeTruthy();
        return core.routing!;
      };
      await eventually(drainedCore, { timeoutMs: 150_000, intervalMs: 2000 });
      // The page follows within its refresh interval (one interval, plus one for the
      // controller's health cache and the request in flight). Compared with the controller's
      // state of the moment: a later alert of the same fault (service down after the burn) may
      // turn the drain into a disable meanwhile.
      await eventually(
        async () => {
          const drained = await drainedCore();
          expect(await shownHealth()).toBe('UNAVAILABLE');
          expect(await coreRow.getAttribute('data-state')).toBe(drained.state);
          expect(await coreRow.textContent()).toContain(drained.why!);
        },
        { timeoutMs: 2 * REFRESH_S * 1000 + 2000, intervalMs: 500 },
      );
      await screenshot(page, 'topology-core-down-dark');

      // Fault gone: CORE answers again, the alert resolves and the controller reverts the drain.
      await removeFault();
      await eventually(
        async () => {
          const core = coreOf(await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`));
          expect(core.health).toMatch(/^(HEALTHY|DEGRADED)$/);
          expect(core.routing?.state).toBe('enabled');
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      // The page follows: it shows what the controller shows. Compared with the controller's
      // state of the moment, not with 'enabled': e2e files run in parallel, and a drill of
      // another file may take CORE out again right after this fault cleared.
      await eventually(
        async () => {
          const core = coreOf(await getJson<ControllerTopology>(`${CONTROLLER}/api/v1/topology`));
          expect(await shownHealth()).toBe(core.health);
          expect(await coreRow.getAttribute('data-state')).toBe(core.routing?.state);
        },
        { timeoutMs: 2 * REFRESH_S * 1000 + 2000, intervalMs: 500 },
      );
      expect(problems).toEqual([]);
    } finally {
      await removeFault();
      faultLoad.stop();
      await faultLoad.done;
    }
  }, 480_000);
});
