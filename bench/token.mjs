#!/usr/bin/env node
// Benchmark: the token-latency tap vs a direct connection vs the same stream through nginx
// (proxy_buffering off), on loopback, engine stand-in in its own process (_token-upstream.mjs).
// Every token carries its write time, so the client measures per-token delivery delay; a
// proxy's added latency per token is its delay minus the direct delay (p50/p99). The delay p99
// is also given apart for the first and last tokens of the streams, which start and end together
// (as a batch does on an engine), and for the rest: where a proxy's tail comes from. Throughput is
// tokens/s with the upstream writing as fast as the path accepts. Also: /metrics with 10k
// series (goal < 50 ms).
// Arrivals: `burst` (default) starts the streams of a round together on new connections, as a
// decode batch does; `poisson` has them arrive one by one at random (exponential gaps, the same
// seeded schedule on every path) over kept-alive connections, at the rate that keeps `--streams`
// of them running on average: steady traffic, as load generators such as vLLM's `bench serve`
// with a request rate send it.
// usage: node bench/token.mjs [--streams N] [--tokens N] [--arrivals burst|poisson]
//        (npm run bench -- token [--arrivals=poisson])
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  EXPORTER_CLI,
  HOST,
  ROOT,
  fmt,
  freePort,
  isMain,
  percentile,
  start,
  table,
  waitUntil,
} from './_exporter-util.mjs';

const NGINX = '/usr/sbin/nginx';
const THROUGHPUT_ROUNDS = 3;
// Latency: discarded warm-up rounds per path, then rounds interleaved across the paths. A tap
// runs for days; a fresh exporter spends its first few hundred ms of traffic compiling, and
// ~5 s after start V8 runs its one full GC of start-up garbage (a 4–12 ms pause, `--trace-gc`):
// three interleaved warm-up rounds (~10 s) put both behind the measured rounds.
const WARMUP_ROUNDS = 3;
const LATENCY_ROUNDS = 3;
const now = () => performance.timeOrigin + performance.now();

/** Tokens this close to a stream's start or end count as its edges in the by-position p99. */
const EDGE_TOKENS = 3;

/** Per-token delivery delays (ms) of one path: all of them, and split by place in the stream. */
const newDelays = () => ({ all: [], edge: [], middle: [] });

/**
 * One streamed request. With `delays`, each token's delivery delay (ms) is pushed; without, the
 * body is only counted (bytes, and the [DONE] end marker), so the client is not the bottleneck.
 */
function stream(base, tokens, gap, agent, delays) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/chat/completions?tokens=${tokens}&gap=${gap}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let pending = '';
        let count = 0;
        let tail = '';
        res.on('data', (chunk) => {
          if (!delays) {
            tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 32))).slice(-32);
            return;
          }
          const at = now();
          pending += chunk.toString('utf8');
          let nl;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            const m = /"t":([0-9.]+)/.exec(line);
            if (m) {
              count++;
              const delay = at - Number(m[1]);
              delays.all.push(delay);
              const edge = count <= EDGE_TOKENS || count > tokens - EDGE_TOKENS;
              (edge ? delays.edge : delays.middle).push(delay);
            }
          }
        });
        res.on('end', () => {
          if (!delays)
            return tail.includes('[DONE]')
              ? resolve(tokens)
              : reject(new Error(`stream from ${base} ended early`));
          if (count === tokens) resolve(count);
          else reject(new Error(`got ${count}/${tokens} tokens from ${base}`));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end('{"model":"bench","stream":true}');
  });
}

/** Runs one round (`run` resolves when its streams have ended): the tokens/s it delivered. */
async function tokenRate(delays, run) {
  const t = performance.now();
  const before = delays.all.length;
  await run();
  return (delays.all.length - before) / ((performance.now() - t) / 1000);
}

/** One burst round on one path: every token's delivery delay is pushed to `delays`. */
async function burstRound(base, streams, tokens, gap, delays) {
  const agent = new Agent({ keepAlive: true, maxSockets: streams });
  const rate = await tokenRate(delays, () =>
    Promise.all(Array.from({ length: streams }, () => stream(base, tokens, gap, agent, delays))),
  );
  agent.destroy();
  return rate;
}

/** Seconds of arrivals in one Poisson round (its streams then run to their end). */
const POISSON_ROUND_S = 4;

/** A small seeded PRNG (mulberry32): every path gets the same arrival times in a round. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One Poisson round on one path: streams arrive with exponential gaps at the rate that keeps
 * `streams` of them running on average, over the path's kept-alive connections (`agent`).
 */
async function poissonRound(base, streams, tokens, gap, delays, agent, seed) {
  const random = seededRandom(seed);
  const meanGapMs = (tokens * gap) / streams;
  const nextGap = () => -Math.log(1 - random()) * meanGapMs;
  return tokenRate(delays, async () => {
    const t = performance.now();
    const running = [];
    for (let at = nextGap(); at < POISSON_ROUND_S * 1000; at += nextGap()) {
      const wait = t + at - performance.now();
      if (wait > 0) await sleep(wait);
      running.push(stream(base, tokens, gap, agent, delays));
    }
    await Promise.all(running);
  });
}

/** The latency rounds of one path, by arrival pattern; `round(delays, r)` runs round r. */
function latencyRounds(arrivals, base, streams, tokens, gap) {
  if (arrivals === 'burst')
    return { round: (delays) => burstRound(base, streams, tokens, gap, delays), close() {} };
  const agent = new Agent({ keepAlive: true, maxSockets: streams * 4 });
  return {
    round: (delays, r) => poissonRound(base, streams, tokens, gap, delays, agent, r + 1),
    close: () => agent.destroy(),
  };
}

const summary = (delays, rates) => ({
  p50: percentile(delays.all, 50),
  p99: percentile(delays.all, 99),
  edgeP99: percentile(delays.edge, 99),
  middleP99: percentile(delays.middle, 99),
  n: delays.all.length,
  rate: rates.reduce((a, b) => a + b, 0) / rates.length,
});

async function throughput(base, streams, tokens) {
  const agent = new Agent({ keepAlive: true, maxSockets: streams });
  await stream(base, 10, 0, agent, null);
  const t = performance.now();
  const counts = await Promise.all(
    Array.from({ length: streams }, () => stream(base, tokens, 0, agent, null)),
  );
  agent.destroy();
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t) / 1000);
}

async function startNginx(upstreamPort) {
  const dir = mkdtempSync(join(tmpdir(), 'okome-bench-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream engine { server ${HOST}:${upstreamPort}; keepalive 64; }
  server {
    listen ${HOST}:${port};
    location / {
      proxy_pass http://engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`,
  );
  execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  const proc = start(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  return {
    url: `http://${HOST}:${port}`,
    stop: async () => (await proc.stop(), rmSync(dir, { recursive: true, force: true })),
  };
}

/** /metrics of an exporter holding ≥ 10k token-latency series lines: wall time and CPU per scrape. */
async function metricsCost() {
  const require = createRequire(join(ROOT, 'exporters', 'package.json'));
  const { Exporter, createTokenLatencyCollector, silentLogger } = require('./dist/index.js');
  const collector = createTokenLatencyCollector([], {
    node: 'NODE-03',
    idleTimeoutMs: 1000,
    maxModels: 1000,
  });
  const exporter = new Exporter({
    collectors: [collector],
    listen: { host: HOST, port: 0 },
    logger: silentLogger,
  });
  await exporter.start();
  try {
    let sets = 0;
    let lines = 0;
    while (lines < 10_000) {
      for (const hop of ['ingress', 'cache', 'engine'])
        collector.runtime.metrics.record({
          labels: { hop, engine: 'vllm', model: `model-${sets}`, node: 'NODE-03' },
          ttft: 0.2,
          itl: [0.02, 0.03],
          e2e: 2,
          outputTokens: 50,
          promptTokens: 20,
        });
      sets++;
      if (sets % 10 === 0)
        lines = (await (await fetch(`${exporter.url()}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith('llm_')).length;
    }
    const times = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await (await fetch(`${exporter.url()}/metrics`)).text();
      times.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      lines,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      cpuMs: (cpu.user + cpu.system) / 1000 / 30,
    };
  } finally {
    await exporter.stop();
  }
}

export async function run({ streams = 50, tokens = 200, arrivals = 'burst' } = {}) {
  const upstream = start(process.execPath, [join(ROOT, 'bench', '_token-upstream.mjs'), '0']);
  await waitUntil(() => /^\d+$/m.test(upstream.output()), 'token upstream');
  const upPort = Number(/^(\d+)$/m.exec(upstream.output())[1]);
  const direct = `http://${HOST}:${upPort}`;
  const tapPort = await freePort();
  const webPort = await freePort();
  // Started as the systemd units and the local stack start a tap node's exporter.
  const { TAP_NODE_FLAGS } = createRequire(join(ROOT, 'provisioning', 'package.json'))(
    './dist/render/conventions.js',
  );
  const tap = start(process.execPath, [
    ...TAP_NODE_FLAGS,
    EXPORTER_CLI,
    '--collector.disable-defaults',
    '--collector.token_latency',
    `--tap=bench=${HOST}:${tapPort},${direct},engine,sse,vllm`,
    `--web.listen-address=${HOST}:${webPort}`,
  ]);
  const nginx = await startNginx(upPort);
  const tapped = `http://${HOST}:${tapPort}`;
  try {
    await waitUntil(
      async () => (await fetch(`http://${HOST}:${webPort}/-/ready`)).ok,
      `okome-exporter tap (${tap.output()})`,
    );
    await waitUntil(async () => (await stream(nginx.url, 1, 0, undefined, null)) === 1, 'nginx');
    const gap = Math.max(1, Math.round((streams * 1000) / 10_000)); // 10k tokens/s in total
    const paths = [
      ['direct', direct],
      ['tap', tapped],
      ['nginx', nginx.url],
    ];
    const lat = {};
    const thr = {};
    const delays = Object.fromEntries(paths.map(([name]) => [name, newDelays()]));
    const rates = Object.fromEntries(paths.map(([name]) => [name, []]));
    const rounds = Object.fromEntries(
      paths.map(([name, url]) => [name, latencyRounds(arrivals, url, streams, tokens, gap)]),
    );
    // Warm-up rounds have their own seeds (-1, -2, …): the measured schedules are not replayed.
    for (let r = 0; r < WARMUP_ROUNDS; r++)
      for (const [name] of paths) await rounds[name].round(newDelays(), -1 - r);
    for (let r = 0; r < LATENCY_ROUNDS; r++)
      for (const [name] of paths) rates[name].push(await rounds[name].round(delays[name], r));
    for (const [name] of paths) rounds[name].close();
    for (const [name] of paths) lat[name] = summary(delays[name], rates[name]);
    // Interleaved rounds, best of each: other processes on a shared machine slow whole
    // seconds down, and the ratio is only fair when every path had the same chances.
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++)
      for (const [name, url] of paths)
        thr[name] = Math.max(thr[name] ?? 0, await throughput(url, 8, 20_000));
    const m = await metricsCost();

    console.log(
      `\n## token: tap vs direct vs nginx (${arrivals === 'burst' ? `${streams} streams starting together` : `streams arriving at random, ${streams} running on average, ${POISSON_ROUND_S} s of arrivals a round`}, ${tokens} tokens each, gap ${gap} ms ≈ ${fmt(lat.direct.rate, 0)} tokens/s${arrivals === 'burst' ? '' : ' over a round, ramps included'}, ${LATENCY_ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds, ${lat.direct.n} tokens per path; throughput best of ${THROUGHPUT_ROUNDS}; load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)\n`,
    );
    const rows = [
      [
        'path',
        'delay p50 ms',
        'delay p99 ms',
        'added p50 ms',
        'added p99 ms',
        `p99 first/last ${EDGE_TOKENS} ms`,
        'p99 mid-stream ms',
        'throughput tok/s',
      ],
    ];
    for (const [name] of paths)
      rows.push([
        name,
        fmt(lat[name].p50, 3),
        fmt(lat[name].p99, 3),
        name === 'direct' ? '-' : fmt(lat[name].p50 - lat.direct.p50, 3),
        name === 'direct' ? '-' : fmt(lat[name].p99 - lat.direct.p99, 3),
        fmt(lat[name].edgeP99, 3),
        fmt(lat[name].middleP99, 3),
        fmt(thr[name], 0),
      ]);
    console.log(table(rows));
    console.log('\nratios:');
    console.log(
      `  tap added per token p99: ${fmt(lat.tap.p99 - lat.direct.p99, 3)} ms (goal ≤ 1 ms at 10k tokens/s)`,
    );
    console.log(
      `  tap throughput / direct: ${fmt((100 * thr.tap) / thr.direct, 1)} % (goal ≥ 95 %)`,
    );
    console.log(`  tap throughput / nginx: ${fmt(thr.tap / thr.nginx)}× (goal ≥ 1.0×)`);
    console.log(
      `  tap added p99 / nginx added p99: ${fmt((lat.tap.p99 - lat.direct.p99) / (lat.nginx.p99 - lat.direct.p99))}×`,
    );
    console.log(
      `  /metrics with ${m.lines} llm_* series lines: p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms, CPU ${fmt(m.cpuMs)} ms/scrape (goal < 50 ms)`,
    );
    return { lat, thr, metrics: m };
  } finally {
    await Promise.all([tap.stop(), nginx.stop(), upstream.stop()]);
  }
}

if (isMain(import.meta.url)) {
  // `--name value` or `--name=value` (the form `npm run bench -- token --arrivals=poisson` needs:
  // bench/run.mjs takes words without `--` for bench names).
  const flag = (name) => {
    const eq = process.argv.find((a) => a.startsWith(`${name}=`));
    if (eq) return eq.slice(name.length + 1);
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const arg = (n, d) => Number(flag(n) ?? d);
  const arrivals = flag('--arrivals') ?? 'burst';
  if (arrivals !== 'burst' && arrivals !== 'poisson') {
    console.error(`bench token: --arrivals must be burst or poisson (got "${arrivals}")`);
    process.exit(2);
  }
  run({
    streams: arg('--streams', 50),
    tokens: arg('--tokens', 200),
    arrivals,
  })
    .then((r) => {
      if (process.argv.includes('--json')) console.log(JSON.stringify(r));
    })
    .catch((err) => {
      console.error(`bench token: ${err.stack ?? err.message}`);
      process.exit(1);
    });
}
