// Crash safety: the controller is SIGKILLed at each fault point of an action (the same as
// kill -9), restarted, and must end with nginx serving what the journal says, no half change,
// no lost or duplicated audit line, and pending reverts still carried out.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { renderUpstream } from './actuators/render-nginx';
import { FAULT_ENV, FAULT_POINTS } from './faults';
import type { FaultPoint } from './faults';
import { tempDir, testInventory, webhook } from './testing/fixtures';
import { freePort, startNginx } from './testing/nginx';
import { controllerApi, spawnController } from './testing/process';
import type { TestNginx } from './testing/nginx';

jest.setTimeout(60_000);

const TOKEN = 'crash-test-token-0123456789';
const ADDR: Record<string, string> = {
  CORE: '127.0.77.30',
  'NODE-07': '127.0.77.37',
  'NODE-08': '127.0.77.38',
};

let tmp: ReturnType<typeof tempDir>;
let nginx: TestNginx;
let backends: Server[] = [];
let child: ChildProcess | undefined;
let port: number;
let invFile: string;

beforeEach(async () => {
  tmp = tempDir('okome-crash-');
  const inv = testInventory();
  inv.routing.pools[0]!.actuator = 'nginx';
  for (const [id, address] of Object.entries(ADDR)) {
    const server = createServer((_req, res) => res.end(id));
    await new Promise<void>((r) => server.listen(0, address, () => r()));
    backends.push(server);
    const node = inv.nodes.find((n) => n.id === id)!;
    node.address = address;
    node.services[0]!.port = (server.address() as { port: number }).port;
  }
  nginx = await startNginx(tmp.dir, [{ name: 'engine', initial: renderUpstream(inv, 'engine') }]);
  inv.nodes.find((n) => n.id === 'NODE-01')!.tools = {
    nginxConf: nginx.conf,
    nginxUpstreamDir: nginx.upstreamDir,
  };
  invFile = join(tmp.dir, 'inventory.json');
  writeFileSync(invFile, JSON.stringify(inv));
  writeFileSync(join(tmp.dir, 'token'), TOKEN + '\n', { mode: 0o600 });
  port = await freePort();
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  nginx.stop();
  await Promise.all(backends.map((s) => new Promise((r) => s.close(r))));
  backends = [];
  tmp.cleanup();
});

async function startChild(fault?: FaultPoint, holdDown = '60s'): Promise<ChildProcess> {
  const args = ['--inventory', invFile, '--state-dir', join(tmp.dir, 'state')];
  args.push('--listen', `127.0.0.1:${port}`, '--token-file', join(tmp.dir, 'token'));
  args.push('--hold-down', holdDown);
  child = await spawnController(args, port, { [FAULT_ENV]: fault ?? '' });
  return child;
}

const api = (method: string, path: string, body?: unknown) =>
  controllerApi(port, TOKEN)(method, path, body);

async function coreState(): Promise<string> {
  const body = (await (await api('GET', '/api/v1/routing')).json()) as {
    pools: { backends: { node: string; state: string }[] }[];
  };
  return body.pools[0]!.backends.find((b) => b.node === 'CORE')!.state;
}

function ask(): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: nginx.port, path: '/', agent: false }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
}

async function served(): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 4; i++) out.push(await ask());
  return [...new Set(out)].sort();
}

function auditLines(): { id: string; result: string }[] {
  const text = readFileSync(join(tmp.dir, 'state', 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; result: string });
}

async function killedBy(c: ChildProcess, during: Promise<unknown>): Promise<void> {
  await during.catch(() => undefined);
  if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
  expect(c.signalCode).toBe('SIGKILL');
}

const ACTION_POINTS = FAULT_POINTS.filter((p) => p !== 'after-revert-scheduled');

describe('crash safety', () => {
  it.each(ACTION_POINTS)(
    'kill -9 at %s: restart finishes the drain exactly once',
    async (point) => {
      expect(await served()).toEqual(['CORE']);
      const c = await startChild(point);
      await killedBy(c, api('POST', '/api/v1/alerts', webhook([{}])));

      await startChild();
      expect(await coreState()).toBe('drain');
      expect(await served()).toEqual(['NODE-07', 'NODE-08']);
      expect(readFileSync(join(nginx.upstreamDir, 'engine.conf'), 'utf8')).toMatch(
        /down;\s+# CORE vllm drain/,
      );
      const applied = auditLines().filter((e) => e.result === 'applied');
      expect(applied).toHaveLength(1);
      // Alertmanager retries the notification the crash cut off: it must not act twice.
      const retry = (await (await api('POST', '/api/v1/alerts', webhook([{}]))).json()) as {
        results: { result: string }[];
      };
      expect(retry.results[0]?.result).toBe('duplicate');
      expect(auditLines().filter((e) => e.result === 'applied')).toHaveLength(1);
    },
  );

  it('kill -9 right after a revert was scheduled: the revert still happens after the hold-down', async () => {
    await startChild(undefined, '1s');
    await api('POST', '/api/v1/alerts', webhook([{}]));
    expect(await served()).toEqual(['NODE-07', 'NODE-08']);
    const stopping = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGTERM');
    await stopping;

    const c = await startChild('after-revert-scheduled', '1s');
    await killedBy(c, api('POST', '/api/v1/alerts', webhook([{ status: 'resolved' }])));

    await startChild(undefined, '1s');
    const deadline = Date.now() + 10_000;
    while ((await coreState()) !== 'enabled' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await coreState()).toBe('enabled');
    expect(await served()).toEqual(['CORE']);
    expect(auditLines().filter((e) => e.result === 'applied')).toHaveLength(2);
  });
});
