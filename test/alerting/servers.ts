// Small helpers for alerting e2e tests: a real Prometheus and real clustered Alertmanagers on
// 127.0.77.x loopback addresses, each in a temp dir, stopped by the test that started them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS ?? 'prometheus';
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

/** A free TCP port on `host` (asked from the kernel, then released for the server to take). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Running {
  url: string;
  proc: ChildProcess;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

function launch(bin: string, args: string[], dir: string, url: string): Running {
  const proc = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    url,
    proc,
    dir,
    log: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(cleanup(dir));
        proc.once('exit', () => resolve(cleanup(dir)));
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}

function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `url` until it answers 200 or the deadline passes. */
export async function waitFor(
  url: string,
  timeoutMs = 30_000,
  what = url,
  log?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms (${last})\n${log?.() ?? ''}`);
}

export async function startPrometheus(opts: { host: string; config: string }): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'okome-prom-'));
  const port = await freePort(opts.host);
  writeFileSync(join(dir, 'prometheus.yml'), opts.config);
  const url = `http://${opts.host}:${port}`;
  const p = launch(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${opts.host}:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    dir,
    url,
  );
  await waitFor(`${url}/-/ready`, 30_000, 'prometheus', p.log);
  return p;
}

export interface AlertmanagerAddr {
  host: string;
  port: number;
  clusterPort: number;
}

export async function alertmanagerAddr(host: string): Promise<AlertmanagerAddr> {
  return { host, port: await freePort(host), clusterPort: await freePort(host) };
}

export async function startAlertmanager(
  me: AlertmanagerAddr,
  peers: AlertmanagerAddr[],
  config: string,
): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'okome-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const url = `http://${me.host}:${me.port}`;
  const a = launch(
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${me.host}:${me.port}`,
      `--cluster.listen-address=${me.host}:${me.clusterPort}`,
      `--cluster.advertise-address=${me.host}:${me.clusterPort}`,
      ...peers.map((p) => `--cluster.peer=${p.host}:${p.clusterPort}`),
      '--cluster.settle-timeout=2s',
      '--cluster.pushpull-interval=2s',
      '--cluster.gossip-interval=100ms',
      '--log.level=warn',
    ],
    dir,
    url,
  );
  await waitFor(`${url}/-/ready`, 30_000, 'alertmanager', a.log);
  return a;
}

export interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  status: { state: string };
}

export async function amAlerts(amUrl: string, filter: Record<string, string>): Promise<AmAlert[]> {
  const q = Object.entries(filter)
    .map(([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`)
    .join('&');
  const res = await fetch(`${amUrl}/api/v2/alerts?${q}`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${amUrl}/api/v2/alerts: HTTP ${res.status}`);
  return (await res.json()) as AmAlert[];
}

export async function clusterPeers(amUrl: string): Promise<number> {
  const res = await fetch(`${amUrl}/api/v2/status`, { signal: AbortSignal.timeout(3000) });
  const body = (await res.json()) as { cluster?: { peers?: unknown[] } };
  return body.cluster?.peers?.length ?? 0;
}

/** Minimal Alertmanager config: everything to one no-op receiver, grouped within a second. */
export const QUIET_ALERTMANAGER_CONFIG = `route:
  receiver: blackhole
  group_by: [alertname, slo]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: blackhole
`;
