// Failover drills on a simulated Kage Bunshin cluster, beside the shared OKOME stack: this suite
// brings up its own stack (own state dir, own simulator control port; the cluster's nodes live on
// 127.0.250.x), runs every scenario the inventory allows (ollama-node-loss among them) through the
// controller's API and checks each passes and leaves the cluster as it found it. A loopback HTTP
// server stands in for Grafana's annotation API (Grafana cannot run here), so the annotations a
// drill writes are checked as Grafana would receive them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DrillListResponse, DrillRecord } from '@okome/controller';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { ROOT, STACK_CLI } from '../setup/stack';
import { drillClient } from './cluster';

jest.setTimeout(240_000);

const STATE_DIR = join(ROOT, '.okome', 'stack-kage-bunshin');
const GRAFANA_TOKEN = 'kage-bunshin-e2e-grafana-token';
const ALLOWED = loadInventory(resolveInventoryPath('kage-bunshin')).drills.allowed;

interface Annotation {
  auth: string | undefined;
  body: { time: number; text: string; tags: string[] };
}

/** Grafana's POST /api/annotations as far as the drill engine uses it; records every call. */
async function fakeGrafana(): Promise<{ url: string; seen: Annotation[]; close(): Promise<void> }> {
  const seen: Annotation[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/annotations') {
        res.writeHead(404).end();
        return;
      }
      seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) as Annotation['body'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: seen.length, message: 'Annotation added' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A loopback port nothing listens on right now, for the second simulator's control API. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function stack(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, [STACK_CLI, ...args, '--state-dir', STATE_DIR], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 5 * 60_000,
  });
}

let grafana: Awaited<ReturnType<typeof fakeGrafana>>;
const urls: Record<string, string> = {};
let alertmanager = '';
let token = '';

const {
  api,
  calm: calmFor,
  waitDone,
} = drillClient(() => ({
  controller: urls.controller!,
  token,
  simulator: urls.simulator!,
  alertmanager,
}));
const calm = () => calmFor(120_000);

beforeAll(async () => {
  grafana = await fakeGrafana();
  mkdirSync(STATE_DIR, { recursive: true });
  // A stack left by an interrupted run would hold the addresses.
  stack(['down']);
  const tokenFile = join(STATE_DIR, 'grafana.token');
  writeFileSync(tokenFile, `${GRAFANA_TOKEN}\n`);
  const control = `127.0.0.1:${await freePort()}`;
  stack(
    ['up', '--inventory', 'kage-bunshin', '--sim', '--detach', '--sim-control', control],
    // The controller reads these (controller/README.md, drills): annotations go to the fake.
    { OKOME_GRAFANA_URL: grafana.url, OKOME_GRAFANA_TOKEN_FILE: tokenFile },
  );
  const status = JSON.parse(stack(['status', '--json'])) as {
    components: { name: string; kind: string; url: string }[];
  };
  for (const c of status.components) urls[c.kind] ??= c.url;
  urls.simulator = urls.simulator!.replace(/\/state$/, '');
  alertmanager = status.components.find((c) => c.kind === 'alertmanager')!.url;
  token = readFileSync(join(STATE_DIR, 'secrets', 'controller.token'), 'utf8')
    .split('\n')[0]!
    .trim();
}, 300_000);

afterAll(async () => {
  stack(['down']);
  await grafana?.close();
}, 120_000);

const ran = new Map<string, DrillRecord>();

describe('failover drills on a simulated Kage Bunshin cluster', () => {
  it('runs beside the OKOME stack on its own addresses and lists its allowed scenarios', async () => {
    expect(ALLOWED).toContain('ollama-node-loss');
    expect(new URL(urls.controller!).hostname).toMatch(/^127\.0\.250\./);
    const list = (await (await api('GET', '/drills')).json()) as DrillListResponse;
    const allowed = list.scenarios.filter((s) => s.allowed).map((s) => s.name);
    expect(allowed.sort()).toEqual([...ALLOWED].sort());
    const olnl = list.scenarios.find((s) => s.name === 'ollama-node-loss')!;
    expect(olnl.candidates).toEqual(['node-gpu-mobile', 'node-gpu-primary']);
  });

  it.each(ALLOWED)('%s passes and leaves the cluster as it found it', async (scenario) => {
    const before = await calm();
    const res = await api('POST', '/drills', { scenario, user: 'e2e' });
    const body = (await res.json()) as { id: string; detail?: string };
    expect({ status: res.status, detail: body.detail }).toEqual({ status: 202, detail: undefined });
    const rec = await waitDone(body.id);
    ran.set(scenario, rec);
    const failedHyps = rec.report!.hypotheses.filter((h) => !h.passed);
    expect({ status: rec.status, failedHyps, abort: rec.abort ?? null }).toEqual({
      status: 'passed',
      failedHyps: [],
      abort: null,
    });
    if (rec.alerts.some((a) => a.required)) expect(rec.report!.timeToDetectSeconds).not.toBeNull();
    if (rec.routing.length) expect(rec.report!.timeToRerouteSeconds).not.toBeNull();
    expect(rec.report!.timeToRecoverSeconds).not.toBeNull();
    expect(await calm()).toEqual(before);
  });

  it('ollama-node-loss wrote its annotations to Grafana: start, fault, detect, reroute, rollback, end', async () => {
    const rec = ran.get('ollama-node-loss');
    if (!rec) throw new Error('ollama-node-loss did not run');
    const mine = () => grafana.seen.filter((a) => a.body.text.includes(`(${rec.id})`));
    // Annotations are posted beside the drill, not awaited by it: the last may trail the record.
    const deadline = Date.now() + 10_000;
    while (!mine().some((a) => a.body.tags.includes('end')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const events = ['start', 'fault', 'detect', 'reroute', 'rollback', 'end'];
    for (const event of events) {
      const a = mine().find((x) => x.body.tags.at(-1) === event);
      expect({ event, tags: a?.body.tags, auth: a?.auth }).toEqual({
        event,
        tags: ['okome', 'drill', 'ollama-node-loss', event],
        auth: `Bearer ${GRAFANA_TOKEN}`,
      });
      // At the time the drill journaled the event (ms since the epoch, as Grafana expects;
      // the journal and the post read the clock one after the other).
      const journaled = Date.parse(rec.events[event as keyof DrillRecord['events']]!);
      expect(Math.abs(a!.body.time - journaled)).toBeLessThan(1000);
    }
    // The drill opens and closes the series.
    const tags = mine().map((a) => a.body.tags.at(-1));
    expect([tags[0], tags.at(-1)]).toEqual(['start', 'end']);
  });
});
