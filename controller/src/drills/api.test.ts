// /api/v1/drills over HTTP: the controller's real app and Engine, the drill service over fakes.
// Auth, validation (4xx naming the field), fuzzing (never a 5xx), start/get/abort, the kill
// switch aborting the drill, okome_drill_phase on /metrics and the topology's activeDrill.
import type { Server } from 'node:http';
import { Engine } from '../engine';
import { createApp } from '../http/server';
import { TopologyService } from '../topology/service';
import { tempDir } from '../testing/fixtures';
import { finished, harness } from './fakes.test-support';
import type { Harness } from './fakes.test-support';
import { DrillService } from './service';

const TOKEN = 'drills-api-token-0123456789';
let h: Harness;
let server: Server;
let base: string;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  h = harness(undefined, false);
  tmp = tempDir('okome-drills-api-');
  const engine = new Engine({
    inventory: h.opts.inventory,
    stateDir: tmp.dir,
    dryRun: false,
    holdDownMs: 0,
    rateLimitCount: 100,
    rateLimitWindowMs: 60_000,
    minHealthyPercent: 0,
    log: () => undefined,
  });
  await engine.start();
  h.service = new DrillService({ ...h.opts });
  await h.service.replay();
  const app = createApp({
    engine,
    topology: new TopologyService(h.opts.inventory, undefined),
    token: TOKEN,
    drills: h.service,
  });
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterEach(async () => {
  await h.service.stop();
  await new Promise((r) => server.close(r));
  server.closeAllConnections();
  h.cleanup();
  tmp.cleanup();
});

function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('/api/v1/drills', () => {
  it('needs the bearer token', async () => {
    expect((await fetch(`${base}/api/v1/drills`)).status).toBe(401);
    expect(
      (
        await call('GET', '/api/v1/drills', undefined, {
          authorization: 'Bearer wrong-token-xxxxxxxx',
        })
      ).status,
    ).toBe(403);
  });

  it.each([
    [{}, 400, 'scenario'],
    [{ scenario: 7 }, 400, 'scenario'],
    [{ scenario: 'isolate-core-gpu', targets: 'CORE' }, 400, 'targets'],
    [{ scenario: 'isolate-core-gpu', targets: ['NODE-09'] }, 400, 'targets'],
    [{ scenario: 'isolate-core-gpu', dryRun: 'yes' }, 400, 'dryRun'],
    [{ scenario: 'isolate-core-gpu', user: 'a b' }, 400, 'user'],
    [{ scenario: 'isolate-core-gpu', force: true }, 400, 'force'],
    [[], 400, 'body'],
    [{ scenario: 'no-such-drill' }, 404, 'scenario'],
  ])('POST %j → %i naming %s', async (body, status, field) => {
    const res = await call('POST', '/api/v1/drills', body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; detail: string };
    expect(json.detail.startsWith(`${field}:`)).toBe(true);
    expect(h.faults.injected).toHaveLength(0);
  });

  it('refuses a body that is not JSON', async () => {
    expect((await call('POST', '/api/v1/drills', '{"scenario":', {})).status).toBe(400);
    expect(
      (await call('POST', '/api/v1/drills', 'scenario=x', { 'content-type': 'text/plain' })).status,
    ).toBe(415);
  });

  it('answers 404 for an unknown drill and 409 for aborting one that is not running', async () => {
    expect((await call('GET', '/api/v1/drills/nope')).status).toBe(404);
    expect((await call('GET', '/api/v1/drills/..%2F..%2Fstate')).status).toBe(404);
    expect((await call('POST', '/api/v1/drills/nope/abort', {})).status).toBe(404);
  });

  it('never answers 5xx to random bodies (fuzz)', async () => {
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const atoms: unknown[] = [
      null,
      true,
      0,
      -1,
      1.5e300,
      'x',
      '',
      'isolate-core-gpu',
      [],
      {},
      ['CORE'],
      'CORE',
      '\u0000',
      'a'.repeat(500),
    ];
    const pick = (): unknown => atoms[Math.floor(rnd() * atoms.length)];
    for (let i = 0; i < 120; i++) {
      const body: Record<string, unknown> = {};
      for (const k of ['scenario', 'targets', 'dryRun', 'user', 'extra'])
        if (rnd() < 0.5) body[k] = pick();
      if (body.dryRun !== true && body.scenario === 'isolate-core-gpu') body.dryRun = true;
      const res = await call('POST', '/api/v1/drills', rnd() < 0.1 ? pick() : body);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400)
        expect(await res.json()).toMatchObject({
          error: expect.any(String),
          detail: expect.any(String),
        });
    }
    expect(h.faults.injected).toHaveLength(0);
  });

  it('dry run → 200 with the plan; start → 202; GET shows steps; kill switch aborts and rolls back', async () => {
    const dry = await call('POST', '/api/v1/drills', {
      scenario: 'isolate-core-gpu',
      dryRun: true,
    });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({
      dryRun: true,
      targets: ['CORE'],
      preflight: { ok: true },
    });

    const res = await call('POST', '/api/v1/drills', {
      scenario: 'isolate-core-gpu',
      user: 'alice',
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/v1/drills/${id}`);
    while (!h.faults.injected.length) await new Promise((r) => setTimeout(r, 10));

    const second = await call('POST', '/api/v1/drills', { scenario: 'isolate-core-gpu' });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({
      error: 'preflight_failed',
      preflight: { ok: false },
    });

    const topo = (await (await call('GET', '/api/v1/topology')).json()) as {
      activeDrill: { id: string };
    };
    expect(topo.activeDrill).toMatchObject({ id, scenario: 'isolate-core-gpu', targets: ['CORE'] });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `okome_drill_phase\\{drill="${id}",scenario="isolate-core-gpu",phase="(inject|observe)"\\} 1`,
      ),
    );

    const ks = await call('POST', '/api/v1/kill-switch', { enabled: true, reason: 'real outage' });
    expect(ks.status).toBe(200);
    const rec = await finished(h, id);
    expect(rec.abort!.reason).toBe('kill-switch');
    expect(h.faults.faults).toEqual([]);
    const got = (await (await call('GET', `/api/v1/drills/${id}`)).json()) as {
      status: string;
      steps: unknown[];
    };
    expect(got.status).toBe('aborted');
    const list = (await (await call('GET', '/api/v1/drills?limit=5')).json()) as {
      drills: { id: string }[];
    };
    expect(list.drills.map((d) => d.id)).toEqual([id]);
    expect((await call('GET', '/api/v1/drills?limit=0')).status).toBe(400);
  });

  it('POST /{id}/abort aborts a running drill', async () => {
    const { id } = (await (
      await call('POST', '/api/v1/drills', { scenario: 'isolate-core-gpu' })
    ).json()) as { id: string };
    while (!h.faults.injected.length) await new Promise((r) => setTimeout(r, 10));
    const res = await call('POST', `/api/v1/drills/${id}/abort`, { user: 'bob' });
    expect(res.status).toBe(202);
    const rec = await finished(h, id);
    expect(rec.abort).toMatchObject({ reason: 'operator', detail: 'aborted by bob' });
    expect((await call('POST', `/api/v1/drills/${id}/abort`, {})).status).toBe(409);
  });
});
