// The Failover drills page in headless chromium, through the preview shell, against the shared
// simulated stack: the OKOME scenarios are listed, a Viewer cannot start a drill, a drill started
// from the page runs to a pass while the page shows the isolated node and each milestone, and a
// drill aborted mid-way ends rolled back (on the page and at the controller).
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../setup/eventually';
import { getJson } from '../setup/http';
import { STACK } from '../setup/stack';
import { launchChromium, openGuardedPage, screenshot } from './chromium';
import type { GuardedPage } from './chromium';

// Overridable so the same tests can drive a preview started by hand beside a controller.
const PREVIEW = process.env.OKOME_PREVIEW_URL ?? STACK.preview;
const ALERTMANAGER = process.env.OKOME_ALERTMANAGER_URL ?? STACK.alertmanager[0];
const PAGE = `${PREVIEW}/a/okome-slo-app/drills`;
const DRILLS_API = `${PREVIEW}/api/plugin-proxy/okome-slo-app/controller/api/v1/drills`;

const OKOME_SCENARIOS = [
  'isolate-core-gpu',
  'isolate-gateway',
  'lose-cache-node',
  'lose-ingress-node',
  'gpu-memory-pressure',
  'observability-node-loss',
];
const ABORTED_SCENARIO = 'lose-cache-node';
const PASSED_SCENARIO = 'isolate-core-gpu';

const sel = {
  scenario: (name: string) => `[data-testid="okome-drills-scenario-${name}"]`,
  select: (name: string) => `[data-testid="okome-drills-select-${name}"]`,
  preflight: '[data-testid="okome-drills-preflight"]',
  start: '[data-testid="okome-drills-start"]',
  startReason: '[data-testid="okome-drills-start-reason"]',
  status: '[data-testid="okome-drills-status"]',
  abort: '[data-testid="okome-drills-abort"]',
  report: '[data-testid="okome-drills-report"]',
  event: (name: string) => `[data-testid="okome-drills-event-${name}"]`,
  topology: '[data-testid="okome-drills-topology"]',
  mark: (node: string) => `[data-testid="okome-topology-node-mark-${node}"]`,
  node: (node: string) => `[data-testid="okome-topology-node-${node}"]`,
};

interface DrillDetail {
  id: string;
  status: string;
  targets: string[];
  rollbackDone: boolean;
  events: Record<string, string | undefined>;
  report?: {
    timeToDetectSeconds: number | null;
    timeToRerouteSeconds: number | null;
    timeToRecoverSeconds: number | null;
    hypotheses: Array<{ name: string; passed: boolean; detail: string }>;
  };
}

/** Waits until a milestone on the page has its time (it shows an em dash until then). */
async function reached(page: Page, milestone: string, timeout: number): Promise<void> {
  await page.locator(sel.event(milestone)).filter({ hasNotText: '\u2014' }).waitFor({ timeout });
}

/** Seconds of a span as the report prints it ("12s", "1m 3s", "< 1s"), whole seconds. */
function spanSeconds(text: string): number {
  if (text.trim() === '< 1s') return 0;
  const units: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
  const parts = [...text.matchAll(/(\d+)([dhms])/g)];
  if (!parts.length) throw new Error(`not a time span: "${text}"`);
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * units[u!]!, 0);
}

/** The value the report shows for one of its facts (Time to detect, …). */
async function reportFact(page: Page, name: string): Promise<string> {
  return (await page.locator(`${sel.report} dt:text-is("${name}") + dd`).textContent()) ?? '';
}

interface DrillList {
  active: string | null;
  drills: Array<{ id: string; scenario: string; status: string }>;
}

/** No drill running, no page firing, every backend in its pool (the shared stack is busy). */
async function calm(): Promise<void> {
  await eventually(
    async () => {
      const list = await getJson<DrillList>(DRILLS_API);
      if (list.active) throw new Error(`drill ${list.active} is running`);
      const pages = await getJson<unknown[]>(
        `${ALERTMANAGER}/api/v2/alerts?filter=severity%3D%22page%22&silenced=false&inhibited=false`,
      );
      if (pages.length) throw new Error(`${pages.length} page alert(s) firing`);
      // A backend already out of its pool (another suite's fault) makes the min-healthy guard
      // refuse the drill's reroute: wait for a cluster at rest.
      const routing = await getJson<{
        pools: Array<{ name: string; backends: Array<{ node: string; state: string }> }>;
      }>(`${PREVIEW}/api/plugin-proxy/okome-slo-app/controller/api/v1/routing`);
      const out = routing.pools.flatMap((p) =>
        p.backends
          .filter((b) => b.state !== 'enabled')
          .map((b) => `${p.name}/${b.node}=${b.state}`),
      );
      if (out.length) throw new Error(`cluster not at rest: ${out.join(', ')}`);
    },
    { timeoutMs: 150_000, intervalMs: 2000 },
  );
}

describe('Failover drills page in the preview shell', () => {
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

  it('lists the OKOME scenarios with their targets', async () => {
    const { page, problems, settle } = await open();
    await page.goto(PAGE);
    for (const name of OKOME_SCENARIOS) {
      await page.waitForSelector(sel.scenario(name), { timeout: 30_000 });
    }
    expect(await page.textContent(sel.scenario('isolate-core-gpu'))).toContain('CORE');
    await settle();
    await screenshot(page, 'drills-scenarios');
    expect(problems).toEqual([]);
  }, 60_000);

  it('a Viewer sees Start disabled with the reason', async () => {
    const { page, problems, settle } = await open();
    await page.goto(`${PAGE}?role=Viewer`);
    await page.click(sel.select('isolate-core-gpu'), { timeout: 30_000 });
    await page.waitForSelector(sel.preflight);
    expect(await page.getAttribute(sel.start, 'aria-disabled')).toBe('true');
    expect(await page.textContent(sel.startReason)).toContain('needs the Editor role');
    await page.click(sel.start, { force: true });
    await settle();
    // Nothing was posted: no drill request reached the controller (a Viewer's POST would be a 403).
    expect(problems).toEqual([]);
  }, 60_000);

  describe('drills that change the cluster', () => {
    // Waiting for a quiet shared stack is not part of a drill's 90 s bound.
    beforeEach(calm, 160_000);

    it('starts isolate-core-gpu from the page and watches it detect, reroute, roll back and pass', async () => {
      const { page, problems, settle } = await open();
      await page.goto(PAGE);
      await page.click(sel.select(PASSED_SCENARIO), { timeout: 30_000 });
      await page.waitForSelector(`${sel.preflight} >> text=What will happen`, { timeout: 20_000 });
      await page.waitForSelector(`${sel.start}:not([aria-disabled="true"]):not([disabled])`, {
        timeout: 20_000,
      });
      await page.click(sel.start);

      // While the fault is in, the topology shows CORE marked as isolated (and nothing else).
      await page.waitForSelector(`${sel.topology} ${sel.mark('CORE')} >> text=isolated by drill`, {
        timeout: 30_000,
      });
      expect(
        await page.$$(`${sel.topology} [data-testid^="okome-topology-node-mark-"]`),
      ).toHaveLength(1);
      await page.waitForSelector(`${sel.topology} ${sel.node('NODE-07')}`);
      await screenshot(page, 'drills-running');

      // Each milestone appears with its time as it happens.
      await reached(page, 'fault', 10_000);
      await reached(page, 'detect', 60_000);
      await reached(page, 'reroute', 60_000);
      expect(await page.textContent(sel.event('detect'))).toMatch(/\(\+/);
      await reached(page, 'rollback', 60_000);
      await page.waitForSelector(`${sel.status} >> text=passed, rolled back`, { timeout: 90_000 });
      await reached(page, 'end', 10_000);
      // The finished drill leaves the live topology; its report is on the page.
      expect(await page.$(sel.topology)).toBeNull();
      expect(await page.$(sel.abort)).toBeNull();

      // The controller's record agrees with what the page shows.
      const list = await getJson<DrillList>(DRILLS_API);
      const latest = list.drills.find((d) => d.scenario === PASSED_SCENARIO)!;
      const rec = await getJson<DrillDetail>(`${DRILLS_API}/${latest.id}`);
      expect({
        status: rec.status,
        targets: rec.targets,
        rollbackDone: rec.rollbackDone,
        failed: rec.report?.hypotheses.filter((h) => !h.passed),
      }).toEqual({ status: 'passed', targets: ['CORE'], rollbackDone: true, failed: [] });
      for (const milestone of ['start', 'fault', 'detect', 'reroute', 'rollback', 'end']) {
        const iso = rec.events[milestone];
        expect({ milestone, iso: typeof iso }).toEqual({ milestone, iso: 'string' });
        const shown = await page.evaluate((t) => new Date(t).toLocaleTimeString(), iso!);
        expect(await page.textContent(sel.event(milestone))).toContain(shown);
      }
      const report = (await page.textContent(sel.report)) ?? '';
      expect(report).toContain(latest.id);
      const r = rec.report!;
      expect(r.timeToDetectSeconds).not.toBeNull();
      expect(r.timeToRerouteSeconds).not.toBeNull();
      expect(r.timeToRecoverSeconds).not.toBeNull();
      expect({
        detect: spanSeconds(await reportFact(page, 'Time to detect')),
        reroute: spanSeconds(await reportFact(page, 'Time to reroute')),
        recover: spanSeconds(await reportFact(page, 'Time to recover')),
      }).toEqual({
        detect: Math.floor(r.timeToDetectSeconds!),
        reroute: Math.floor(r.timeToRerouteSeconds!),
        recover: Math.floor(r.timeToRecoverSeconds!),
      });
      await settle();
      await screenshot(page, 'drills-passed');
      expect(problems).toEqual([]);
    }, 200_000);

    it('starts a drill from the page, aborts it mid-way and shows it rolled back', async () => {
      const { page, problems, settle } = await open();
      await page.goto(PAGE);
      await page.click(sel.select(ABORTED_SCENARIO), { timeout: 30_000 });
      await page.waitForSelector(`${sel.preflight} >> text=What will happen`, { timeout: 20_000 });
      await page.waitForSelector(`${sel.start}:not([aria-disabled="true"]):not([disabled])`, {
        timeout: 20_000,
      });
      await page.click(sel.start);
      // Mid-way: the fault is in and the drill watches the cluster.
      await page.waitForSelector(`${sel.status} >> text=observe`, { timeout: 30_000 });
      await page.click(sel.abort);
      await page.waitForSelector(`${sel.status} >> text=aborted, rolled back`, { timeout: 40_000 });
      expect(await page.textContent(sel.report)).toContain('Time to recover');
      expect(await page.$(sel.abort)).toBeNull();

      const list = await getJson<DrillList>(DRILLS_API);
      const latest = list.drills.find((d) => d.scenario === ABORTED_SCENARIO)!;
      const rec = await getJson<{
        status: string;
        abort?: { reason: string };
        rollbackDone: boolean;
      }>(`${DRILLS_API}/${latest.id}`);
      expect(rec).toMatchObject({
        status: 'aborted',
        abort: { reason: 'operator' },
        rollbackDone: true,
      });
      await settle();
      await screenshot(page, 'drills-aborted');
      expect(problems).toEqual([]);
    }, 90_000);
  });
});
