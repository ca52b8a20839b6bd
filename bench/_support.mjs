// Shared helpers for benches: child processes, readiness, percentiles, output.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

export async function freePort(host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitReady(url, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`not ready within ${ms} ms: ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `node [...nodeFlags] <script> ...args`; resolves once readyUrl answers 200. */
export async function startChild(script, args, readyUrl, nodeFlags = []) {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${stderr}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitReady(readyUrl), exited]);
  return {
    child,
    rssBytes: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(values) {
  const s = Float64Array.from(values).sort();
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
}

export const fmt = (n, d = 3) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

export function report(json, result) {
  if (json) console.log(JSON.stringify(result));
}
