// The HTTP API end to end in-process, with the exec actuator running a real shell hook that
// appends every applied state to a file (the "proxy" the test inspects).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecActuator, HaproxyActuator, NginxActuator } from '../actuators';
import { startController } from '../main';
import type { RunningController } from '../main';
import { tempDir, testInventory, webhook } from '../testing/fixtures';

jest.setTimeout(30_000);

const TOKEN = 'test-token-0123456789abcdef';
let ctl: RunningController;
let tmp: ReturnType<typeof tempDir>;
let hookLog: string;

async function start(
  overrides: { dryRun?: boolean; rateLimitCount?: number; holdDownMs?: number } = {},
): Promise<void> {
  tmp = tempDir();
  hookLog = join(tmp.dir, 'hook.log');
  const inv = testInventory();
  inv.routing.pools[0]!.execCommand = `echo "$OKOME_PHASE $OKOME_BACKEND $OKOME_STATE" >> ${hookLog}`;
  ctl = await startController(
    {
      inventory: inv,
      stateDir: join(tmp.dir, 'state'),
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      dryRun: overrides.dryRun ?? false,
      alertmanagers: [],
      holdDownMs: overrides.holdDownMs ?? 60_000,
      rateLimitCount: overrides.rateLimitCount ?? 10,
      rateLimitWindowMs: 600_000,
      minHealthyPercent: 0,
    },
    {
      actuators: {
        exec: new ExecActuator(),
        nginx: new NginxActuator(),
        haproxy: new HaproxyActuator(),
      },
      tickMs: 50,
    },
  );
}

afterEach(async () => {
  await ctl.close();
  tmp.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
) {
  const res = await fetch(ctl.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json as Record<string, unknown> };
}
const hookLines = (): string[] => {
  try {
    return readFileSync(hookLog, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const coreState = async (): Promise<string> => {
  const r = await call('GET', '/api/v1/routing');
  const pools = r.body.pools as { name: string; backends: { node: string; state: string }[] }[];
  return pools[0]!.backends.find((b) => b.node === 'CORE')!.state;
};

describe('auth', () => {
  beforeEach(() => start());

  it('answers 401 without a token and 403 with a wrong one, on every /api/v1 endpoint', async () => {
    for (const [m, p] of [
      ['GET', '/api/v1/routing'],
      ['POST', '/api/v1/alerts'],
      ['GET', '/api/v1/topology'],
      ['GET', '/api/v1/audit'],
      ['POST', '/api/v1/kill-switch'],
      ['POST', '/api/v1/routing/engine/CORE'],
      ['GET', '/api/v1/nonexistent'],
    ]) {
      const none = await call(m!, p!, m === 'POST' ? webhook([{}]) : undefined, {});
      expect(none.status).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      const wrong = await call(m!, p!, m === 'POST' ? webhook([{}]) : undefined, {
        authorization: 'Bearer nope-nope-nope-nope',
      });
      expect(wrong.status).toBe(403);
    }
    expect(hookLines()).toEqual([]);
    expect(await coreState()).toBe('enabled');
  });

  it('leaves /metrics and /-/* open', async () => {
    expect((await call('GET', '/-/healthy', undefined, {})).status).toBe(200);
    expect((await call('GET', '/-/ready', undefined, {})).status).toBe(200);
    const m = await call('GET', '/metrics', undefined, {});
    expect(m.status).toBe(200);
    expect(String(m.body)).toContain('okome_controller_webhook_requests_total');
  });
});

describe('webhook', () => {
  beforeEach(() => start());

  it('drains the named backend once, however often the notification arrives', async () => {
    const body = webhook([{}]);
    const results = await Promise.all([1, 2, 3].map(() => call('POST', '/api/v1/alerts', body)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(hookLines()).toEqual(['apply CORE drain']);
    expect(await coreState()).toBe('drain');
    const audit = (await call('GET', '/api/v1/audit')).body.entries as {
      result: string;
      actor: string;
    }[];
    expect(audit.filter((e) => e.result === 'applied')).toHaveLength(1);
    expect(audit[0]?.actor).toBe('alert:fp-core');
  });

  it('re-enables the backend after the hold-down once the alert resolves', async () => {
    await ctl.close();
    tmp.cleanup();
    await start({ holdDownMs: 300 });
    await call('POST', '/api/v1/alerts', webhook([{}]));
    const r = await call('POST', '/api/v1/alerts', webhook([{ status: 'resolved' }]));
    expect((r.body.results as { result: string }[])[0]?.result).toBe('released');
    expect(await coreState()).toBe('drain');
    const deadline = Date.now() + 5000;
    while ((await coreState()) !== 'enabled' && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    expect(await coreState()).toBe('enabled');
    expect(hookLines()).toEqual(['apply CORE drain', 'apply CORE enabled']);
  });

  it('cancels a pending revert when the alert fires again (hysteresis), and waits for every holder', async () => {
    await call('POST', '/api/v1/alerts', webhook([{}]));
    await call(
      'POST',
      '/api/v1/alerts',
      webhook([{ fingerprint: 'fp-other', labels: { alertname: 'FirstTokenBudget' } }]),
    );
    await call('POST', '/api/v1/alerts', webhook([{ status: 'resolved' }]));
    let view = (await call('GET', '/api/v1/routing')).body.pools as {
      backends: { node: string; holders: string[]; pendingRevertAt: string | null }[];
    }[];
    // Another alert still holds CORE out: no revert yet.
    expect(view[0]!.backends[0]).toMatchObject({ holders: ['fp-other'], pendingRevertAt: null });
    await call(
      'POST',
      '/api/v1/alerts',
      webhook([
        { status: 'resolved', fingerprint: 'fp-other', labels: { alertname: 'FirstTokenBudget' } },
      ]),
    );
    view = (await call('GET', '/api/v1/routing')).body.pools as typeof view;
    expect(view[0]!.backends[0]!.pendingRevertAt).not.toBeNull();
    // It fires again before the hold-down is over: the revert is cancelled and CORE stays out.
    await call('POST', '/api/v1/alerts', webhook([{ startsAt: '2026-11-25T10:05:00Z' }]));
    view = (await call('GET', '/api/v1/routing')).body.pools as typeof view;
    expect(view[0]!.backends[0]).toMatchObject({ holders: ['fp-core'], pendingRevertAt: null });
    expect(await coreState()).toBe('drain');
    const audit = (await call('GET', '/api/v1/audit')).body.entries as { reason: string }[];
    expect(audit.at(-1)?.reason).toMatch(/pending revert cancelled: .* \(hysteresis\)/);
    expect(hookLines()).toEqual(['apply CORE drain']);
  });

  it('refuses to drain the last healthy backend and records why', async () => {
    await call('POST', '/api/v1/routing/engine/NODE-07', {
      state: 'disable',
      reason: 'maintenance',
    });
    await call('POST', '/api/v1/routing/engine/NODE-08', {
      state: 'disable',
      reason: 'maintenance',
    });
    const r = await call('POST', '/api/v1/alerts', webhook([{}]));
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      expect.objectContaining({ result: 'refused', rule: 'min-healthy' }),
    ]);
    expect(await coreState()).toBe('enabled');
    const audit = (await call('GET', '/api/v1/audit')).body.entries as {
      result: string;
      detail?: string;
    }[];
    expect(audit.at(-1)).toMatchObject({
      result: 'refused',
      detail: expect.stringMatching(/^min-healthy: /),
    });
  });

  it('stops automatic actions under the kill switch, visible in routing and metrics', async () => {
    const ks = await call('POST', '/api/v1/kill-switch', { enabled: true, reason: 'drill freeze' });
    expect(ks.body).toMatchObject({ enabled: true, reason: 'drill freeze' });
    const r = await call('POST', '/api/v1/alerts', webhook([{}]));
    expect(r.body.results).toEqual([
      expect.objectContaining({ result: 'refused', rule: 'kill-switch' }),
    ]);
    expect((await call('GET', '/api/v1/routing')).body.killSwitch).toMatchObject({ enabled: true });
    expect(String((await call('GET', '/metrics', undefined, {})).body)).toContain(
      'okome_controller_kill_switch_enabled 1',
    );
    // A refused alert is not settled: once the switch is off, Alertmanager's retry acts.
    await call('POST', '/api/v1/kill-switch', { enabled: false });
    await call('POST', '/api/v1/alerts', webhook([{}]));
    expect(await coreState()).toBe('drain');
  });

  it('rate-limits changes per pool', async () => {
    await ctl.close();
    tmp.cleanup();
    await start({ rateLimitCount: 1 });
    await call('POST', '/api/v1/routing/engine/NODE-08', {
      state: 'drain',
      reason: 'first change',
    });
    const r = await call('POST', '/api/v1/routing/engine/NODE-07', {
      state: 'drain',
      reason: 'second change',
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'refused_by_guardrail', rule: 'rate-limit' });
  });
});

describe('actuator failure', () => {
  beforeEach(() => start());

  it('rolls back, records the failure, answers 502 and leaves the state unchanged', async () => {
    // The hook refuses to drain (a proxy that rejects the change) but can always roll back.
    ctl.engine.inventory.routing.pools[0]!.execCommand = `echo "$OKOME_PHASE $OKOME_BACKEND $OKOME_STATE" >> ${hookLog}; test "$OKOME_PHASE" = rollback || test "$OKOME_STATE" != drain`;
    const r = await call('POST', '/api/v1/routing/engine/CORE', { state: 'drain', reason: 'test' });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({
      error: 'actuator_failed',
      detail: expect.stringMatching(/exec: pool engine: .* exited 1/),
    });
    expect(hookLines()).toEqual(['apply CORE drain', 'rollback CORE enabled']);
    expect(await coreState()).toBe('enabled');
    const audit = (await call('GET', '/api/v1/audit')).body.entries as { result: string }[];
    expect(audit.map((e) => e.result)).toEqual(['failed']);
    expect(ctl.engine.snapshot().pendingAction).toBeUndefined();
    expect(String((await call('GET', '/metrics', undefined, {})).body)).toContain(
      'okome_controller_actuator_errors_total{actuator="exec"} 1',
    );
    // A webhook whose action fails answers 502, so Alertmanager retries it later.
    const w = await call('POST', '/api/v1/alerts', webhook([{}]));
    expect(w.status).toBe(502);
    expect(ctl.engine.snapshot().processed).toEqual({});
  });
});

describe('dry run', () => {
  beforeEach(() => start({ dryRun: true }));
  it('journals what it would do but changes nothing', async () => {
    const r = await call('POST', '/api/v1/alerts', webhook([{}]));
    expect(r.body.results).toEqual([expect.objectContaining({ result: 'dry-run', to: 'drain' })]);
    expect(hookLines()).toEqual([]);
    expect(await coreState()).toBe('enabled');
    expect((await call('GET', '/api/v1/routing')).body.dryRun).toBe(true);
  });
});

describe('manual routing', () => {
  beforeEach(() => start());

  it('applies a human change with the same guardrails and records it as manual', async () => {
    const r = await call('POST', '/api/v1/routing/engine/NODE-07', {
      state: 'drain',
      reason: 'kernel update',
      user: 'sre',
    });
    expect(r.status).toBe(200);
    const view = (await call('GET', '/api/v1/routing')).body.pools as {
      backends: { node: string; state: string; manual: boolean; actor: string }[];
    }[];
    expect(view[0]!.backends.find((b) => b.node === 'NODE-07')).toMatchObject({
      state: 'drain',
      manual: true,
      actor: 'user:sre',
    });
    const back = await call('POST', '/api/v1/routing/engine/NODE-07', {
      state: 'enable',
      reason: 'done',
    });
    expect(back).toMatchObject({ status: 409, body: { rule: 'hold-down' } });
  });

  it('answers 4xx naming the field', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/v1/routing/nope/CORE', { state: 'drain', reason: 'x' }, 404, /^pool: /],
      ['/api/v1/routing/engine/NODE-05', { state: 'drain', reason: 'x' }, 404, /^backend: /],
      ['/api/v1/routing/engine/CORE', { reason: 'x' }, 400, /^state: required/],
      [
        '/api/v1/routing/engine/CORE',
        { state: 'off', reason: 'x' },
        400,
        /^state: must be one of drain, disable, enable/,
      ],
      ['/api/v1/routing/engine/CORE', { state: 'drain' }, 400, /^reason: /],
      ['/api/v1/kill-switch', { enabled: 'yes' }, 400, /^enabled: /],
    ];
    for (const [path, body, status, re] of cases) {
      const r = await call('POST', path, body);
      expect(r.status).toBe(status);
      expect(r.body.detail).toMatch(re);
    }
    expect((await call('GET', '/api/v1/audit?limit=0')).body.detail).toMatch(/^limit: /);
    expect((await call('GET', '/api/v1/audit?since=yesterday')).body.detail).toMatch(/^since: /);
  });
});

describe('webhook fuzzing', () => {
  beforeEach(() => start());

  it('answers 4xx to random, malformed, huge and mistyped bodies without crashing or changing state', async () => {
    let seed = 42;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return pick([null, 1, -1.5, '', 'x', true, '4', 'drain', []]);
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => junk(depth + 1));
      const o: Record<string, unknown> = {};
      for (const k of [
        'version',
        'groupKey',
        'status',
        'alerts',
        'labels',
        'fingerprint',
        'startsAt',
        'x',
      ])
        if (rand() < 0.5) o[k] = junk(depth + 1);
      return o;
    };
    // A resolved alert that holds nothing: any mutation that stays valid must still change nothing.
    const good = webhook([{ status: 'resolved' }]);
    const mutate = (): unknown => {
      const b = structuredClone(good) as Record<string, unknown>;
      const a = (b.alerts as Record<string, unknown>[])[0]!;
      const target = rand() < 0.5 ? b : a;
      const key = pick(Object.keys(target));
      target[key] = junk(2);
      if (rand() < 0.3) delete target[key];
      return b;
    };
    const bodies: { body: string; type: string }[] = [];
    for (let i = 0; i < 150; i++)
      bodies.push({ body: JSON.stringify(i % 2 ? junk(0) : mutate()), type: 'application/json' });
    bodies.push({ body: '{"version": "4", ', type: 'application/json' });
    bodies.push({ body: '\u0000\u0001garbage', type: 'application/json' });
    bodies.push({ body: JSON.stringify(good), type: 'text/plain' });
    bodies.push({ body: 'version=4', type: 'application/x-www-form-urlencoded' });
    bodies.push({
      body: JSON.stringify({ ...good, pad: 'x'.repeat(2 * 1024 * 1024) }),
      type: 'application/json',
    });
    const statuses = new Set<number>();
    for (const { body, type } of bodies) {
      const res = await fetch(ctl.url + '/api/v1/alerts', {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body,
      });
      const json = (await res.json()) as {
        error?: string;
        detail?: string;
        results?: { result: string }[];
      };
      if (res.status === 200) {
        // Mutations that leave a valid body (e.g. junk annotations) may pass but must not act.
        expect(json.results?.every((r) => r.result !== 'applied')).toBe(true);
        continue;
      }
      statuses.add(res.status);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof json.error).toBe('string');
      expect(typeof json.detail).toBe('string');
    }
    expect([...statuses].sort()).toEqual([400, 413, 415]);
    expect((await call('GET', '/-/healthy', undefined, {})).status).toBe(200);
    expect(hookLines()).toEqual([]);
    expect(await coreState()).toBe('enabled');
  });
});
