// Drills: `isolate-core-gpu` ×N through okome-controller's drill engine (fault → alert → reroute
// → rollback → recovery) against nginx passive failover alone (the same simulator fault on CORE
// for the same time, controller's automatic actions off via its kill switch), in the same run,
// under the same bounded client load through both ingress nodes. Prints time to detect, reroute
// and recover (p50/max) and failed client requests for each. Needs the shared simulated stack
// (`okome-stack up --inventory okome --sim --detach`); loopback only; the kill switch is always
// turned back off, and every fault the bench made is removed, even on Ctrl-C.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { percentile, fmt, report } from './_support.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const { streamCompletion } = require(join(ROOT, 'simulator/dist/index.js'));

const args = process.argv.slice(2);
const json = args.includes('--json');
const RUNS = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
const CONTROLLER = 'http://127.0.86.49:9700';
const SIM = 'http://127.0.0.1:9800';
const ALERTMANAGER = 'http://127.0.86.49:9093';
const INGRESS = ['http://127.0.86.41:8080', 'http://127.0.86.42:8080'];
const TOKEN = readFileSync(join(ROOT, '.okome/stack/secrets/controller.token'), 'utf8')
  .split('\n')[0]
  .trim();
const log = (s) => process.stderr.write(`[drills] ${s}\n`);

async function api(method, path, body) {
  const res = await fetch(`${CONTROLLER}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${out.detail ?? ''}`);
  return out;
}

/** Bounded client load; records each request's end time and outcome. */
function load() {
  const ac = new AbortController();
  const results = [];
  const until = Date.now() + 10 * 60_000;
  const loops = [0, 1].map(async (i) => {
    let n = 0;
    while (!ac.signal.aborted && Date.now() < until && n < 5000) {
      n++;
      const r = await streamCompletion({
        url: INGRESS[(n + i) % 2],
        protocol: 'openai-chat',
        model: 'qwen2.5-32b-instruct-awq',
        prompt: `bench drills ${i}`,
        maxTokens: 8,
        timeoutMs: 10_000,
        idleTimeoutMs: 5_000,
        headers: { cookie: `okome_session=bench-${i}` },
        signal: ac.signal,
      }).catch(() => undefined);
      if (ac.signal.aborted) break;
      results.push({ t: Date.now(), ok: !!r?.ok });
      await sleep(100);
    }
  });
  return {
    failedBetween: (a, b) => results.filter((r) => r.t >= a && r.t <= b && !r.ok).length,
    async stop() {
      ac.abort();
      await Promise.all(loops);
    },
  };
}

/** Pages firing now (unsilenced): the drill preflight refuses to start while one fires. */
async function firingPages() {
  const res = await fetch(
    `${ALERTMANAGER}/api/v2/alerts?filter=severity%3D%22page%22&silenced=false&inhibited=false`,
    { signal: AbortSignal.timeout(10_000) },
  );
  return res.ok ? (await res.json()).length : 1;
}

async function calm() {
  for (let i = 0; i < 180; i++) {
    const routing = await api('GET', '/routing');
    const list = await api('GET', '/drills');
    if (
      !list.active &&
      routing.pools.every((p) => p.backends.every((b) => b.state === 'enabled')) &&
      (await firingPages()) === 0
    )
      return;
    await sleep(1000);
  }
  throw new Error('cluster did not come to rest (all backends enabled, no drill, no page firing)');
}

const made = new Set();
async function cleanup() {
  await api('POST', '/kill-switch', { enabled: false, reason: 'bench drills done' }).catch(
    () => undefined,
  );
  for (const id of made)
    await fetch(`${SIM}/faults/${id}`, { method: 'DELETE' }).catch(() => undefined);
}
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

const secs = (a, b) => (a && b ? (Date.parse(b) - Date.parse(a)) / 1000 : NaN);

async function main() {
  const l = load();
  const drills = [];
  const passive = [];
  try {
    await calm();
    for (let i = 0; i < RUNS; i++) {
      const { id } = await api('POST', '/drills', { scenario: 'isolate-core-gpu', user: 'bench' });
      let rec;
      for (;;) {
        rec = await api('GET', `/drills/${id}`);
        if (rec.phase === 'done') break;
        await sleep(1000);
      }
      const fault = Date.parse(rec.events.fault ?? rec.createdAt);
      const end = Date.parse(rec.endedAt);
      drills.push({
        status: rec.status,
        detect: rec.report.timeToDetectSeconds ?? NaN,
        reroute: rec.report.timeToRerouteSeconds ?? NaN,
        recover: rec.report.timeToRecoverSeconds ?? NaN,
        faultSeconds: secs(rec.events.fault, rec.events.rollback),
        failed: l.failedBetween(fault, end),
      });
      log(
        `controller run ${i + 1}: ${rec.status}, detect ${fmt(drills.at(-1).detect)}s, reroute ${fmt(drills.at(-1).reroute)}s, failed ${drills.at(-1).failed}`,
      );
      await calm();
    }
    const faultMs =
      Math.round(
        1000 *
          (drills
            .map((d) => d.faultSeconds)
            .filter(Number.isFinite)
            .reduce((a, b) => a + b, 0) /
            Math.max(1, drills.length)),
      ) || 20_000;
    await api('POST', '/kill-switch', {
      enabled: true,
      reason: 'bench drills: nginx passive failover alone',
    });
    for (let i = 0; i < RUNS; i++) {
      const start = Date.now();
      const res = await fetch(`${SIM}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          node: 'CORE',
          kind: 'down',
          duration: `${Math.ceil(faultMs / 1000) + 30}s`,
          params: { bench: 'drills' },
        }),
      });
      const f = await res.json();
      made.add(f.id);
      await sleep(faultMs);
      await fetch(`${SIM}/faults/${f.id}`, { method: 'DELETE' });
      made.delete(f.id);
      await sleep(5000);
      passive.push({ failed: l.failedBetween(start, Date.now()) });
      log(`nginx alone run ${i + 1}: failed ${passive.at(-1).failed}`);
    }
  } finally {
    await l.stop();
    await cleanup();
  }
  const p = (xs, q) =>
    percentile(
      [...xs].filter(Number.isFinite).sort((a, b) => a - b),
      q,
    );
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const result = {
    bench: 'drills',
    runs: RUNS,
    controller: {
      passed: drills.filter((d) => d.status === 'passed').length,
      detectP50: p(
        drills.map((d) => d.detect),
        50,
      ),
      rerouteP50: p(
        drills.map((d) => d.reroute),
        50,
      ),
      recoverP50: p(
        drills.map((d) => d.recover),
        50,
      ),
      rerouteMax: p(
        drills.map((d) => d.reroute),
        100,
      ),
      failedRequests: sum(drills.map((d) => d.failed)),
    },
    nginxAlone: { failedRequests: sum(passive.map((d) => d.failed)) },
  };
  const c = result.controller;
  console.log(`isolate-core-gpu ×${RUNS} (simulated OKOME stack, time-scale 60)
  okome drill engine : ${c.passed}/${RUNS} passed; detect p50 ${fmt(c.detectP50)}s, reroute p50 ${fmt(c.rerouteP50)}s (max ${fmt(c.rerouteMax)}s), recover p50 ${fmt(c.recoverP50)}s; failed client requests ${c.failedRequests}
  nginx passive alone: failed client requests ${result.nginxAlone.failedRequests} (same fault, same duration, automatic actions off)
  ratio failed (controller / nginx alone): ${result.nginxAlone.failedRequests ? fmt(c.failedRequests / result.nginxAlone.failedRequests) : 'n/a'}`);
  report(json, result);
}

main().catch(async (err) => {
  await cleanup();
  console.error(`bench drills: ${err.message}`);
  process.exit(1);
});
