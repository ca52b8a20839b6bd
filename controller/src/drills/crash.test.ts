// kill -9 during a drill: the controller is SIGKILLed right after it journaled a fault intent
// or made the fault; on restart the journal is replayed and the fault removed exactly once.
// Prometheus and the simulator are small HTTP fakes here (their real versions run in test/drills).
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures';
import { freePort } from '../testing/nginx';
import { controllerApi, spawnController } from '../testing/process';
import { simulatedInventory } from './fakes.test-support';
import type { DrillRecord } from './types';

jest.setTimeout(60_000);

const TOKEN = 'drill-crash-token-0123456789';
const SCENARIO = `name: isolate-core-gpu
title: crash test
description: crash test
targets: { roles: [gpu-core] }
maxDuration: 30s
interval: 100ms
hypothesis:
  - { name: prom-up, query: 'count(up{job="prometheus"} == 1)', min: 1 }
method:
  - simulator: { fault: down }
hold: 20s
recovery: { within: 2s }
`;

let tmp: ReturnType<typeof tempDir>;
let servers: Server[] = [];
let child: ChildProcess | undefined;
let port: number;
const sim = {
  faults: [] as { id: string; node: string; kind: string; params: Record<string, unknown> }[],
  posts: 0,
  deletes: [] as string[],
};

function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  return new Promise((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)),
  );
}

let promUrl: string;
let simUrl: string;

beforeEach(async () => {
  tmp = tempDir('okome-drill-crash-');
  sim.faults = [];
  sim.posts = 0;
  sim.deletes = [];
  promUrl = await listen((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [0, '2'] }] },
      }),
    );
  });
  simUrl = await listen((req, res) => {
    res.setHeader('content-type', 'application/json');
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/faults') {
        const b = JSON.parse(body) as {
          node: string;
          kind: string;
          params: Record<string, unknown>;
        };
        const f = { id: `f${++sim.posts}`, node: b.node, kind: b.kind, params: b.params };
        sim.faults.push(f);
        res.statusCode = 201;
        return void res.end(JSON.stringify(f));
      }
      if (req.method === 'GET' && req.url === '/faults')
        return void res.end(JSON.stringify({ faults: sim.faults }));
      const m = /^\/faults\/(.+)$/.exec(req.url ?? '');
      if (req.method === 'DELETE' && m) {
        const had = sim.faults.some((f) => f.id === m[1]);
        sim.faults = sim.faults.filter((f) => f.id !== m[1]);
        if (had) sim.deletes.push(m[1] as string);
        res.statusCode = had ? 200 : 404;
        return void res.end(JSON.stringify(had ? { cleared: [m[1]] } : { error: 'no fault' }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  const inv = simulatedInventory();
  writeFileSync(join(tmp.dir, 'inventory.json'), JSON.stringify(inv));
  writeFileSync(join(tmp.dir, 'token'), TOKEN + '\n', { mode: 0o600 });
  mkdirSync(join(tmp.dir, 'drills'));
  writeFileSync(join(tmp.dir, 'drills', 'isolate-core-gpu.yaml'), SCENARIO);
  port = await freePort();
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
  tmp.cleanup();
});

async function startChild(fault = ''): Promise<ChildProcess> {
  const args = ['--inventory', join(tmp.dir, 'inventory.json')];
  args.push('--state-dir', join(tmp.dir, 'state'), '--listen', `127.0.0.1:${port}`);
  args.push('--token-file', join(tmp.dir, 'token'), '--prometheus', promUrl);
  const env = {
    OKOME_CONTROLLER_FAULT: fault,
    OKOME_SIMULATOR_URL: simUrl,
    OKOME_DRILLS_DIR: join(tmp.dir, 'drills'),
  };
  child = await spawnController(args, port, env, 30_000);
  return child;
}

const api = (method: string, path: string, body?: unknown) =>
  controllerApi(port, TOKEN)(method, path, body);

/** The drill once the restarted controller's replay is through with it. */
async function settled(id: string): Promise<DrillRecord> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rec = (await (await api('GET', `/api/v1/drills/${id}`)).json()) as DrillRecord;
    if (rec.status !== 'running' || Date.now() > deadline) return rec;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('drill crash safety', () => {
  it.each(['drill-after-inject', 'drill-after-intent'])(
    'kill -9 at %s: restart rolls the drill back exactly once',
    async (point) => {
      const c = await startChild(point);
      const died = new Promise<NodeJS.Signals | null>((r) =>
        c.once('exit', (_code, sig) => r(sig)),
      );
      const res = await api('POST', '/api/v1/drills', { scenario: 'isolate-core-gpu' });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect(await died).toBe('SIGKILL');
      child = undefined;
      // After the intent only, the fault was never made; after inject it is still in.
      expect(sim.faults).toHaveLength(point === 'drill-after-inject' ? 1 : 0);

      await startChild();
      const rec = await settled(id);
      expect(sim.faults).toEqual([]);
      expect(sim.deletes).toHaveLength(point === 'drill-after-inject' ? 1 : 0);
      expect(rec).toMatchObject({
        status: 'aborted',
        replayed: true,
        rollbackDone: true,
        abort: { reason: 'controller-restart' },
      });
      expect(rec.actions.every((a) => a.state === 'rolled-back')).toBe(true);

      // A second restart replays nothing: the rollback happened once.
      const exited = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGTERM');
      await exited;
      child = undefined;
      await startChild();
      expect(sim.posts).toBe(point === 'drill-after-inject' ? 1 : 0);
      expect(sim.deletes).toHaveLength(point === 'drill-after-inject' ? 1 : 0);
    },
  );

  it('SIGTERM during a drill rolls it back before the process exits', async () => {
    const c = await startChild();
    const { id } = (await (
      await api('POST', '/api/v1/drills', { scenario: 'isolate-core-gpu' })
    ).json()) as { id: string };
    const deadline = Date.now() + 10_000;
    while (!sim.faults.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sim.faults).toHaveLength(1);
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    child = undefined;
    expect(sim.faults).toEqual([]);
    await startChild();
    const rec = await settled(id);
    expect(rec).toMatchObject({
      status: 'aborted',
      abort: { reason: 'controller-stopping' },
      rollbackDone: true,
    });
    expect(rec.replayed).toBeUndefined();
  });
});
