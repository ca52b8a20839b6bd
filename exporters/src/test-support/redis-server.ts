// Starting a real redis-server for the tests (plain, sentinel, TLS, cluster node; unit and e2e):
// one copy, so every start is bounded, and a server that never gets ready is stopped, not leaked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port free on `host` just now (the OS picks it); the caller binds it soon after. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Polls `check` (a throw counts as not yet) until it answers true; throws after `ms`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Stops `child` with SIGTERM (at once if it already exited), then runs `cleanup`. */
export function stopper(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const done = (): void => {
        cleanup?.();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
}

export interface RedisServerSpawn {
  /** redis-server's arguments: `--name value` pairs, or a config file and `--sentinel`. */
  args: string[];
  /** Polled until it answers true: the server is ready for the test. */
  ready: () => Promise<boolean>;
  /** Names the server in the timeout error, e.g. `redis-server :6379`. */
  what: string;
  /** How long `ready` may take; 15 s if not given. */
  timeoutMs?: number;
  /** Runs once the process has exited (e.g. removes its temp dir). */
  cleanup?: () => void;
}

/**
 * Spawns redis-server and waits until `ready`; returns its stop. If it does not get ready in
 * time it is stopped (and cleaned up) and the timeout is thrown.
 */
export async function spawnRedisServer(s: RedisServerSpawn): Promise<() => Promise<void>> {
  const child = spawn('redis-server', s.args, { stdio: 'ignore' });
  const stop = stopper(child, s.cleanup);
  try {
    await waitUntil(s.ready, s.what, s.timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}

/**
 * A redis-server on 127.0.0.1 and a free port, without persistence, its --dir a temp dir
 * (`tmpPrefix`…) removed on stop; `extra` arguments go last (e.g. `--requirepass x`).
 */
export async function startPlainRedis(
  extra: string[],
  ready: (port: number) => Promise<boolean>,
  { tmpPrefix, timeoutMs }: { tmpPrefix: string; timeoutMs?: number },
): Promise<{ port: number; stop(): Promise<void> }> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const stop = await spawnRedisServer({
    args: [
      '--bind',
      host,
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ],
    ready: () => ready(port),
    what: `redis-server ${host}:${port}`,
    timeoutMs,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
  return { port, stop };
}
