// End to end on the shared stack: CORE's vLLM goes down under steady load → Prometheus → both
// Alertmanagers → controller webhook → nginx ingress takes CORE out → clients keep getting
// answers from NODE-07/08 → fault cleared → alert resolves → CORE back after the hold-down.
import { readFileSync } from 'node:fs';
import { loadInventory } from '@okome/provisioning';
import type { Pool } from '@okome/provisioning';
import { eventually } from '../setup/eventually';
import { getJson } from '../setup/http';
import { STACK } from '../setup/stack';

jest.setTimeout(6 * 60_000);

const token = (): string => readFileSync(STACK.tokenFile, 'utf8').split('\n')[0]!.trim();
const auth = (): Record<string, string> => ({ authorization: `Bearer ${token()}` });

interface BackendView {
  node: string;
  state: string;
  actor: string | null;
}
interface AuditEntry {
  time: string;
  actor: string;
  action: string;
  pool?: string;
  backend?: string;
  result: string;
}

async function backendState(pool: string, node: string): Promise<BackendView> {
  const r = await getJson<{ pools: { name: string; backends: BackendView[] }[] }>(
    `${STACK.controller}/api/v1/routing`,
    { headers: auth() },
  );
  return r.pools.find((p) => p.name === pool)!.backends.find((b) => b.node === node)!;
}

interface Result {
  t: number;
  ok: boolean;
  model?: string;
  error?: string;
}

/** Steady client load through the ingress: a few workers in a loop, bounded in count and time. */
function startLoad(url: string, model: string, workers = 3, maxRequests = 20_000) {
  const results: Result[] = [];
  let stop = false;
  const one = async (): Promise<void> => {
    const t = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          messages: [{ role: 'user', content: 'ping' }],
          max_tokens: 4,
          stream: false,
        }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { model?: string };
      results.push({
        t,
        ok: res.ok,
        model: body.model,
        ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
      });
    } catch (err) {
      results.push({ t, ok: false, error: (err as Error).message });
    }
  };
  const loops = Array.from({ length: workers }, async () => {
    while (!stop && results.length < maxRequests) await one();
  });
  return {
    results,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

describe('alert-driven reroute on the simulated OKOME cluster', () => {
  const inv = loadInventory(STACK.derivedInventory);
  const pool = inv.routing.pools.find((p) => p.name === 'engine') as Pool;
  const ingress = inv.nodes.find((n) => n.id === pool.frontends[0])!;
  const url = `http://${ingress.address}:${pool.listenPort}/v1/chat/completions`;
  const coreModel = inv.nodes.find((n) => n.id === 'CORE')!.services.find((s) => s.kind === 'vllm')!
    .models![0]!;
  let faultId: string | undefined;
  let load: ReturnType<typeof startLoad> | undefined;
  let manuallyDrained = false;

  /** Puts CORE back by hand, retrying while the hold-down guardrail still refuses. */
  async function enableCore(): Promise<void> {
    await eventually(
      async () => {
        const r = await fetch(`${STACK.controller}/api/v1/routing/engine/CORE`, {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'enable', reason: 'e2e: done', user: 'e2e' }),
        });
        expect(r.status).toBe(200);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    manuallyDrained = false;
  }

  afterAll(async () => {
    await load?.stop();
    if (manuallyDrained) await enableCore().catch(() => undefined);
    if (faultId)
      await fetch(`${STACK.simulator}/faults/${faultId}`, { method: 'DELETE' }).catch(
        () => undefined,
      );
  });

  it('keeps a long token stream through the sim ingress alive while CORE is drained by hand', async () => {
    await eventually(
      async () => expect((await backendState('engine', 'CORE')).state).toBe('enabled'),
      { timeoutMs: 120_000 },
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: coreModel,
        messages: [{ role: 'user', content: 'tell a long story' }],
        max_tokens: 200,
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain('data:');

    const drain = await fetch(`${STACK.controller}/api/v1/routing/engine/CORE`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({
        state: 'drain',
        reason: 'e2e: in-flight stream across an nginx reload',
        user: 'e2e',
      }),
    });
    expect(drain.status).toBe(200);
    manuallyDrained = true;
    // New requests avoid CORE right away…
    const fresh = (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: coreModel,
          messages: [{ role: 'user', content: 'ping' }],
          max_tokens: 2,
        }),
      })
    ).json()) as { model: string };
    expect(fresh.model).not.toBe(coreModel);
    // …while the stream that started on CORE runs to its end on the old worker.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('data: [DONE]');
    const models = new Set([...text.matchAll(/"model":"([^"]+)"/g)].map((m) => m[1]));
    expect([...models]).toEqual([coreModel]);
    await enableCore();
  });

  it('drains CORE on its alert, keeps clients answered, and brings CORE back after the hold-down', async () => {
    // A clean start: CORE in the pool, automatic actions allowed, no fault on CORE.
    await eventually(
      async () => expect((await backendState('engine', 'CORE')).state).toBe('enabled'),
      { timeoutMs: 120_000 },
    );
    const ks = await getJson<{ enabled: boolean }>(`${STACK.controller}/api/v1/kill-switch`, {
      headers: auth(),
    });
    expect(ks.enabled).toBe(false);

    load = startLoad(url, coreModel);
    await eventually(async () =>
      expect(load!.results.some((r) => r.ok && r.model === coreModel)).toBe(true),
    );

    const t0 = Date.now();
    const fault = await getJson<{ id: string }>(`${STACK.simulator}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'CORE', kind: 'down', duration: '5m' }),
    });
    faultId = fault.id;

    const out = await eventually(
      async () => {
        const b = await backendState('engine', 'CORE');
        expect(b.state).not.toBe('enabled');
        return b;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const t1 = Date.now();
    expect(out.actor).toMatch(/^alert:/);

    // After the change settles, every request is answered by the backups.
    await new Promise((r) => setTimeout(r, 1500));
    const settled = load.results.length;
    await new Promise((r) => setTimeout(r, 3000));
    const after = load.results.slice(settled);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((r) => !r.ok)).toEqual([]);
    expect(after.every((r) => r.model !== coreModel)).toBe(true);

    const t2 = Date.now();
    await fetch(`${STACK.simulator}/faults/${faultId}`, { method: 'DELETE' });
    faultId = undefined;
    const back = await eventually(
      async () => {
        const b = await backendState('engine', 'CORE');
        expect(b.state).toBe('enabled');
        return b;
      },
      { timeoutMs: 180_000, intervalMs: 100 },
    );
    const t3 = Date.now();
    expect(back.state).toBe('enabled');
    await eventually(async () =>
      expect(load!.results.slice(-10).some((r) => r.ok && r.model === coreModel)).toBe(true),
    );
    await load.stop();

    const during = load.results.filter((r) => r.t >= t0 && r.t <= t3);
    const failed = during.filter((r) => !r.ok);
    console.log(
      [
        `fault → routing change: ${((t1 - t0) / 1000).toFixed(1)} s (CORE ${out.state} by ${out.actor})`,
        `fault cleared → CORE back: ${((t3 - t2) / 1000).toFixed(1)} s`,
        `client requests during the incident: ${during.length}, failed: ${failed.length}` +
          (failed.length ? ` (${[...new Set(failed.map((f) => f.error))].join('; ')})` : ''),
      ].join('\n'),
    );

    const audit = await getJson<{ entries: AuditEntry[] }>(
      `${STACK.controller}/api/v1/audit?since=${t0}`,
      { headers: auth() },
    );
    const core = audit.entries.filter(
      (e) => e.pool === 'engine' && e.backend === 'CORE' && e.result === 'applied',
    );
    // The journal shows the alert taking CORE out and the revert bringing it back, in that order.
    const steps = core.map(
      (e) => `${e.action === 'enabled' ? 'enabled' : 'out'} by ${e.actor.split(':')[0]}`,
    );
    expect(steps[0]).toBe('out by alert');
    expect(steps.indexOf('enabled by revert')).toBeGreaterThan(0);
  });

  it('answers malformed webhooks with 4xx, stays up and changes nothing', async () => {
    const before = await getJson<unknown>(`${STACK.controller}/api/v1/routing`, {
      headers: auth(),
    });
    const bodies: [string, string][] = [
      ['application/json', '{"version": "4", '],
      ['application/json', '[]'],
      [
        'application/json',
        JSON.stringify({
          version: '4',
          groupKey: 'g',
          status: 'firing',
          alerts: [{ status: 'firing' }],
        }),
      ],
      [
        'application/json',
        JSON.stringify({ version: '4', groupKey: 'g', status: 'nope', alerts: [] }),
      ],
      ['application/json', JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) })],
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'a=b'],
    ];
    for (const [type, body] of bodies) {
      const res = await fetch(`${STACK.controller}/api/v1/alerts`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': type },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.json()).toEqual(
        expect.objectContaining({ error: expect.any(String), detail: expect.any(String) }),
      );
    }
    expect((await fetch(`${STACK.controller}/-/healthy`)).status).toBe(200);
    expect(
      await getJson<unknown>(`${STACK.controller}/api/v1/routing`, { headers: auth() }),
    ).toEqual(before);
  });
});
