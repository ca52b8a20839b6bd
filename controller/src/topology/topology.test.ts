// The topology API and okome-status against a real Prometheus scraping a real target, then
// with Prometheus gone: the last known state comes back marked stale, never a 500.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ExecActuator, HaproxyActuator, NginxActuator } from '../actuators';
import { startController } from '../main';
import type { RunningController } from '../main';
import { tempDir, testInventory } from '../testing/fixtures';
import { freePort } from '../testing/nginx';

jest.setTimeout(60_000);

const TOKEN = 'topology-test-token-0123456789';
let tmp: ReturnType<typeof tempDir>;
let prom: ChildProcess | undefined;
let target: Server;
let ctl: RunningController;

beforeAll(async () => {
  tmp = tempDir('okome-topo-');
  target = createServer((_req, res) => res.end('okome_exporter_build_info 1\nvllm_up 1\n'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const targetPort = (target.address() as { port: number }).port;
  const deadPort = await freePort();
  const promPort = await freePort();
  const cfg = join(tmp.dir, 'prometheus.yml');
  const nodes = ['NODE-01', 'CORE', 'NODE-08', 'NODE-05', 'NODE-09'];
  writeFileSync(
    cfg,
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: okome-exporter
    static_configs:
${nodes.map((n) => `      - { targets: ['127.0.0.1:${targetPort}'], labels: { node: ${n}, cluster: test, role: x } }`).join('\n')}
      - { targets: ['127.0.0.1:${deadPort}'], labels: { node: NODE-07, cluster: test, role: x } }
    relabel_configs:
      - { source_labels: [node], target_label: instance }
`,
  );
  prom = spawn(
    'prometheus',
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: 'ignore' },
  );
  const promUrl = `http://127.0.0.1:${promPort}`;
  // Wait until every target has been scraped once.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = (await fetch(`${promUrl}/api/v1/query?query=count(up)`)
      .then((x) => x.json())
      .catch(() => undefined)) as { data?: { result?: { value: [number, string] }[] } } | undefined;
    if (r?.data?.result?.[0]?.value[1] === '6') break;
    await new Promise((res) => setTimeout(res, 200));
  }
  writeFileSync(join(tmp.dir, 'token'), TOKEN, { mode: 0o600 });
  ctl = await startController(
    {
      inventory: testInventory(),
      stateDir: join(tmp.dir, 'state'),
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      dryRun: false,
      prometheus: promUrl,
      alertmanagers: [],
      holdDownMs: 60_000,
      rateLimitCount: 10,
      rateLimitWindowMs: 600_000,
      minHealthyPercent: 0,
    },
    {
      actuators: {
        exec: new ExecActuator(),
        nginx: new NginxActuator(),
        haproxy: new HaproxyActuator(),
      },
      topologyTtlMs: 0,
    },
  );
});

afterAll(async () => {
  // beforeAll may have failed before the controller started; still stop what did start.
  await (ctl as RunningController | undefined)?.close().catch(() => undefined);
  if (prom && prom.exitCode === null) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => target.close(r));
  tmp.cleanup();
});

interface Topo {
  stale: boolean;
  nodes: { id: string; health: string; reasons: string[] }[];
  edges: unknown[];
  pools: { name: string }[];
  budgets: unknown;
}

async function topology(): Promise<{ status: number; body: Topo }> {
  const res = await fetch(`${ctl.url}/api/v1/topology`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, body: (await res.json()) as Topo };
}

/** Runs okome-status from source; async, because the controller answers from this process. */
function status(
  args: string[],
  controller = ctl.url,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = [
    join(__dirname, '..', 'testing', 'run-ts.cjs'),
    join(__dirname, '..', 'status-cli.ts'),
  ];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cli, '--controller', controller, '--token-file', join(tmp.dir, 'token'), ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

it('computes node health from Prometheus and serves it with edges and pools', async () => {
  const { status: code, body } = await topology();
  expect(code).toBe(200);
  expect(body.stale).toBe(false);
  const health = Object.fromEntries(body.nodes.map((n) => [n.id, n.health]));
  expect(health).toEqual({
    'NODE-01': 'HEALTHY',
    CORE: 'HEALTHY',
    'NODE-07': 'UNAVAILABLE',
    'NODE-08': 'HEALTHY',
    'NODE-05': 'HEALTHY',
    'NODE-09': 'HEALTHY',
  });
  expect(body.pools.map((p) => p.name)).toEqual(['engine']);
  expect(body.edges.length).toBeGreaterThan(0);
  expect(body.budgets).toEqual(testInventory().budgets);
});

it('okome-status prints the table, --json for scripts, and exits 1 when a node is UNAVAILABLE', async () => {
  const table = await status([]);
  expect(table.code).toBe(1);
  expect(table.stdout).toMatch(/NODE-07\s+✗ UNAVAILABLE/);
  expect(table.stdout).toMatch(/CLUSTER STATUS:\s+UNAVAILABLE \(5\/6 nodes healthy\)/);
  const json = await status(['--json']);
  expect(json.code).toBe(1);
  const report = JSON.parse(json.stdout) as {
    status: string;
    nodes: { id: string; health: string; routing: { pool: string; state: string }[] }[];
  };
  expect(report.status).toBe('UNAVAILABLE');
  expect(report.nodes.find((n) => n.id === 'CORE')?.routing).toEqual([
    { pool: 'engine', state: 'enabled', why: 'in the inventory' },
  ]);
});

it('okome-status exits 2 with a clear message when the controller is unreachable', async () => {
  const r = await status([], `http://127.0.0.1:${await freePort()}`);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/okome-status: controller at http:\/\/127\.0\.0\.1:\d+ unreachable/);
});

it('answers the last known state marked stale when Prometheus is gone', async () => {
  const exited = new Promise((r) => prom!.once('exit', r));
  prom!.kill('SIGTERM');
  await exited;
  const { status: code, body } = await topology();
  expect(code).toBe(200);
  expect(body.stale).toBe(true);
  expect(body.nodes.find((n) => n.id === 'NODE-07')?.health).toBe('UNAVAILABLE');
  expect(String(await (await fetch(`${ctl.url}/metrics`)).text())).toContain(
    'okome_controller_prometheus_up 0',
  );
});
