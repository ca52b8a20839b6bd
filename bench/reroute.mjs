// Fault → reroute: okome-controller (Prometheus → Alertmanager → webhook → nginx drain) against
// nginx's own passive failover alone (seed 001: least_conn, max_fails=2 fail_timeout=30s), in
// the same run, on the same three backends. Each fault hangs CORE (accepts, never answers: a
// wedged GPU engine), the way LLM backends usually fail; clients give up after a timeout.
// Reports fault → reroute p50/p99 over N faults and failed client requests per ingress.
// Goal (issue 8): p50 < 10 s, p99 < 20 s, fewer failed requests than passive failover alone.
// Everything runs on loopback (127.0.78.x), bounded in time; real prometheus, alertmanager, nginx.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitReady, percentile, fmt, report } from './_support.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const { loadInventory, renderNginxUpstream, nginxUpstreamName } = require(
  join(ROOT, 'provisioning/dist/index.js'),
);
const CONTROLLER = join(ROOT, 'controller/dist/cli.js');

const args = process.argv.slice(2);
const json = args.includes('--json');
const FAULTS = Number(args.find((a) => a.startsWith('--faults='))?.slice(9) ?? 20);
const CLIENT_TIMEOUT_MS = 5000;
const WORKERS = 2;
const FAULT_CAP_MS = 30_000;
/** Each fault lasts this long (longer when the reroute itself takes longer). */
const FAULT_MS = 12_000;
const HOLD_DOWN = '2s';
const TOKEN = 'bench-reroute-token-0123456789abcdef';
const NET = '127.0.78';

const dir = mkdtempSync(join(tmpdir(), 'okome-bench-reroute-'));
const children = [];
const log = (s) => process.stderr.write(`[reroute] ${s}\n`);

function startProc(cmd, argv, name) {
  const c = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  c.on('exit', (code, sig) => {
    if (!c.stopping)
      log(`${name} exited (${code ?? sig}): ${err.trim().split('\n').slice(-3).join(' | ')}`);
  });
  children.push(c);
  return c;
}

async function cleanup() {
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.stopping = true;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** An OpenAI-ish backend that answers in 50 ms, serves /metrics, and can hang on demand. */
async function backend(name, host) {
  const hung = new Set();
  let hang = false;
  const answer = (req, res) => {
    if (req.url === '/metrics') return res.end('bench_backend_up 1\n');
    setTimeout(() => res.end(JSON.stringify({ model: name, choices: [{ text: 'ok' }] })), 50);
  };
  const server = createServer((req, res) => {
    req.resume();
    if (hang) {
      hung.add([req, res]);
      return;
    }
    answer(req, res);
  });
  const port = await freePort(host);
  await new Promise((r) => server.listen(port, host, r));
  return {
    name,
    host,
    port,
    setHang(on) {
      hang = on;
      if (!on) {
        // The engine un-wedges: requests still waiting get their answer.
        for (const [req, res] of hung) if (!res.destroyed) answer(req, res);
        hung.clear();
      }
    },
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  };
}

async function startNginx(name, upstreamName, upstreamText, port) {
  const prefix = join(dir, name);
  for (const d of ['conf', 'logs', 'tmp', 'upstreams'])
    mkdirSync(join(prefix, d), { recursive: true });
  writeFileSync(join(prefix, 'upstreams', 'engine.conf'), upstreamText);
  const conf = join(prefix, 'conf', 'nginx.conf');
  writeFileSync(
    conf,
    `pid logs/nginx.pid;
error_log logs/error.log;
worker_processes 1;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  include ${join(prefix, 'upstreams')}/*.conf;
  server { listen ${NET}.1:${port}; location / { proxy_pass http://${upstreamName}; proxy_http_version 1.1; proxy_buffering off; } }
}
`,
  );
  const t = spawnSync('nginx', ['-p', prefix, '-c', conf, '-t'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx ${name}: ${t.stderr}`);
  startProc('nginx', ['-p', prefix, '-c', conf], `nginx-${name}`);
  return {
    prefix,
    conf,
    upstreamDir: join(prefix, 'upstreams'),
    url: `http://${NET}.1:${port}/v1/completions`,
  };
}

/** Two workers per ingress sending small POSTs back to back, each with a client timeout. */
function load(url) {
  const results = [];
  let stop = false;
  const one = async () => {
    const t = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"m","prompt":"ping","max_tokens":4}',
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const body = await res.json().catch(() => ({}));
      results.push({ t, end: Date.now(), ok: res.ok, model: body.model });
    } catch {
      results.push({ t, end: Date.now(), ok: false });
    }
  };
  const loops = Array.from({ length: WORKERS }, async () => {
    while (!stop) await one();
  });
  return { results, stop: async () => ((stop = true), await Promise.all(loops)) };
}

async function coreState(base) {
  const r = await fetch(`${base}/api/v1/routing`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const body = await r.json();
  return body.pools[0].backends.find((b) => b.node === 'CORE').state;
}

async function until(pred, ms, step = 100) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred().catch(() => false)) return true;
    await sleep(step);
  }
  return false;
}

async function main() {
  const backends = {
    CORE: await backend('CORE', `${NET}.30`),
    'NODE-07': await backend('NODE-07', `${NET}.37`),
    'NODE-08': await backend('NODE-08', `${NET}.38`),
  };
  const [promPort, amPort, ctlPort, ingA, ingB] = await Promise.all([
    freePort(`${NET}.9`),
    freePort(`${NET}.9`),
    freePort(`${NET}.9`),
    freePort(`${NET}.1`),
    freePort(`${NET}.1`),
  ]);

  // Inventory: one ingress fronting CORE (primary) with NODE-07/08 as backups, as in OKOME.
  const node = (id, last, roles, services, extra = {}) => ({
    id,
    hostname: id.toLowerCase(),
    address: `${NET}.${last}`,
    roles,
    services,
    ...extra,
  });
  const inventory = {
    cluster: 'bench',
    nodes: [
      node('ING', 1, ['ingress'], [{ name: 'nginx', kind: 'nginx', port: ingA }]),
      ...['CORE', 'NODE-07', 'NODE-08'].map((id) =>
        node(
          id,
          Number(backends[id].host.split('.')[3]),
          ['gpu-core'],
          [{ name: 'vllm', kind: 'vllm', port: backends[id].port }],
        ),
      ),
      node(
        'OBS',
        9,
        ['observability'],
        [{ name: 'prometheus', kind: 'prometheus', port: promPort }],
      ),
    ],
    routing: {
      pools: [
        {
          name: 'engine',
          hop: 'engine',
          frontends: ['ING'],
          listenPort: ingA,
          balance: 'least_conn',
          backends: [
            { node: 'CORE', service: 'vllm', weight: 10 },
            { node: 'NODE-07', service: 'vllm', backup: true },
            { node: 'NODE-08', service: 'vllm', backup: true },
          ],
          failoverOrder: ['CORE', 'NODE-07', 'NODE-08'],
          maxFails: 2,
          failTimeout: '30s',
          minHealthy: 1,
        },
      ],
    },
  };
  const invFile = join(dir, 'inventory.json');
  writeFileSync(invFile, JSON.stringify(inventory));
  const inv = loadInventory(invFile);
  const upstream = renderNginxUpstream(inv, 'engine');
  const withCtl = await startNginx('controlled', nginxUpstreamName('engine'), upstream, ingA);
  const passive = await startNginx('passive', nginxUpstreamName('engine'), upstream, ingB);
  inventory.nodes[0].tools = { nginxConf: withCtl.conf, nginxUpstreamDir: withCtl.upstreamDir };
  writeFileSync(invFile, JSON.stringify(inventory));

  // Prometheus scrapes the backends every second; the routing alert fires after 1 s of up == 0.
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:
  - name: bench-routing
    interval: 1s
    rules:
      - alert: OkomeBackendDown
        expr: up{job="engine"} == 0
        for: 1s
        labels: { severity: critical, okome_action: disable, okome_pool: engine, okome_backend: '{{ $labels.node }}' }
`,
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, scrape_timeout: 800ms, evaluation_interval: 1s }
rule_files: [${join(dir, 'rules.yml')}]
alerting: { alertmanagers: [ { static_configs: [ { targets: ['${NET}.9:${amPort}'] } ] } ] }
scrape_configs:
  - job_name: engine
    static_configs:
${Object.values(backends)
  .map(
    (b) =>
      `      - { targets: ['${b.host}:${b.port}'], labels: { node: ${b.name}, cluster: bench } }`,
  )
  .join('\n')}
`,
  );
  writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
  writeFileSync(
    join(dir, 'am.yml'),
    `route:
  receiver: controller
  group_by: [alertname, okome_pool, okome_backend]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1m
receivers:
  - name: controller
    webhook_configs:
      - url: http://${NET}.9:${ctlPort}/api/v1/alerts
        send_resolved: true
        http_config: { authorization: { credentials_file: ${join(dir, 'token')} } }
`,
  );
  startProc(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=${NET}.9:${promPort}`,
      '--rules.alert.resend-delay=1s',
    ],
    'prometheus',
  );
  startProc(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=${NET}.9:${amPort}`,
      '--cluster.listen-address=',
    ],
    'alertmanager',
  );
  const ctlBase = `http://${NET}.9:${ctlPort}`;
  startProc(
    process.execPath,
    [
      CONTROLLER,
      '--inventory',
      invFile,
      '--state-dir',
      join(dir, 'ctl'),
      '--listen',
      `${NET}.9:${ctlPort}`,
      '--token-file',
      join(dir, 'token'),
      '--hold-down',
      HOLD_DOWN,
      '--rate-limit',
      '1000/1m',
      '--prometheus',
      `http://${NET}.9:${promPort}`,
      '--alertmanager',
      `http://${NET}.9:${amPort}`,
    ],
    'controller',
  );
  await waitReady(`http://${NET}.9:${promPort}/-/ready`, 30_000);
  await waitReady(`http://${NET}.9:${amPort}/-/ready`, 30_000);
  await waitReady(`${ctlBase}/-/ready`, 30_000);
  await until(
    async () =>
      (await (await fetch(`http://${NET}.9:${promPort}/api/v1/query?query=sum(up)`)).json()).data
        .result[0]?.value[1] === '3',
    30_000,
  );

  const loads = { controller: load(withCtl.url), passive: load(passive.url) };
  await sleep(2000);
  const trials = [];
  for (let i = 0; i < FAULTS; i++) {
    // Start each fault from a healthy pool: CORE enabled and answering on both ingresses.
    const coreServes = (l) =>
      l.results.slice(-3).length === 3 &&
      l.results.slice(-3).every((r) => r.ok && r.model === 'CORE');
    const healthy = await until(
      async () =>
        (await coreState(ctlBase)) === 'enabled' &&
        coreServes(loads.controller) &&
        coreServes(loads.passive),
      90_000,
      250,
    );
    if (!healthy) throw new Error('CORE did not come back on both ingresses before the next fault');
    const t0 = Date.now();
    backends.CORE.setHang(true);
    let tRoute = NaN;
    await until(async () => {
      if ((await coreState(ctlBase)) === 'enabled') return false;
      tRoute = Date.now();
      return true;
    }, FAULT_CAP_MS);
    const faultFor = Math.min(
      FAULT_CAP_MS,
      Math.max(FAULT_MS, (Number.isFinite(tRoute) ? tRoute - t0 : FAULT_CAP_MS) + 3000),
    );
    await sleep(Math.max(0, faultFor - (Date.now() - t0)));
    const t1 = Date.now();
    backends.CORE.setHang(false);
    await sleep(CLIENT_TIMEOUT_MS);
    // Requests in flight at any moment of the fault.
    const window = (r) => r.end >= t0 && r.t < t1;
    const trial = { fault: i + 1, rerouteMs: tRoute - t0, faultMs: t1 - t0 };
    for (const [mode, l] of Object.entries(loads)) {
      const inWin = l.results.filter(window);
      trial[mode] = {
        requests: inWin.length,
        failed: inWin.filter((r) => !r.ok).length,
        // First answer from a backup to a request sent after the fault: when clients were rerouted.
        firstBackupMs: (() => {
          const r = inWin.find((x) => x.ok && x.t >= t0 && x.model !== 'CORE');
          return r ? r.end - t0 : NaN;
        })(),
      };
    }
    trials.push(trial);
    log(
      `fault ${i + 1}/${FAULTS}: controller reroute ${fmt(trial.rerouteMs / 1000, 1)} s; failed requests controller ${trial.controller.failed}/${trial.controller.requests}, passive ${trial.passive.failed}/${trial.passive.requests}`,
    );
  }
  await Promise.all(Object.values(loads).map((l) => l.stop()));
  for (const b of Object.values(backends)) await b.close();

  const reroute = trials
    .map((t) => t.rerouteMs / 1000)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const passiveReroute = trials
    .map((t) => t.passive.firstBackupMs / 1000)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const failed = (m) => trials.reduce((s, t) => s + t[m].failed, 0);
  const requests = (m) => trials.reduce((s, t) => s + t[m].requests, 0);
  const result = {
    bench: 'reroute',
    faults: FAULTS,
    rerouted: reroute.length,
    rerouteP50s: percentile(reroute, 50),
    rerouteP99s: percentile(reroute, 99),
    passiveRerouted: passiveReroute.length,
    passiveRerouteP50s: percentile(passiveReroute, 50),
    failedController: failed('controller'),
    requestsController: requests('controller'),
    failedPassive: failed('passive'),
    requestsPassive: requests('passive'),
  };
  console.log(`
fault → reroute over ${FAULTS} faults (CORE hangs ≥ ${FAULT_MS / 1000} s; clients time out after ${CLIENT_TIMEOUT_MS / 1000} s)
  okome-controller   rerouted ${result.rerouted}/${FAULTS}   p50 ${fmt(result.rerouteP50s, 1)} s   p99 ${fmt(result.rerouteP99s, 1)} s   (goal p50 < 10 s, p99 < 20 s)
  passive failover   rerouted ${result.passiveRerouted}/${FAULTS}   p50 ${fmt(result.passiveRerouteP50s, 1)} s   (nginx max_fails=2 fail_timeout=30s only)
failed client requests during the faults
  okome-controller   ${result.failedController}/${result.requestsController}
  passive failover   ${result.failedPassive}/${result.requestsPassive}   ratio controller/passive ${fmt(result.failedController / Math.max(1, result.failedPassive), 2)}
goal: ${result.rerouteP50s < 10 && result.rerouteP99s < 20 && result.failedController < result.failedPassive ? 'met' : 'NOT met'}`);
  report(json, result);
}

let code = 0;
try {
  await main();
} catch (err) {
  console.error(`[reroute] ${err.stack ?? err}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
