// Test support: a real redis-server on 127.0.0.1 and a free ephemeral port (never mocked).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from './resp';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  host: string;
  port: number;
  url: string;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts `redis-server` with extra `--name value` args; resolves once it answers PING. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'okome-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
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
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => {
      const c = await RespClient.connect({ host, port, timeoutMs: 500, ...authFrom(extraArgs) });
      try {
        return (await c.send('PING')) === 'PONG';
      } finally {
        c.close();
      }
    },
    10_000,
    `redis-server on ${host}:${port}`,
  );
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          resolve();
          return;
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function authFrom(args: string[]): { password?: string } {
  const i = args.indexOf('--requirepass');
  return i >= 0 && args[i + 1] ? { password: args[i + 1]! } : {};
}

/**
 * Starts `redis-server --sentinel` monitoring `master` as "mymaster" (quorum 1); the config file
 * sentinel rewrites lives in a temp dir removed on stop.
 */
export async function startSentinel(master: RedisServer): Promise<RedisServer> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'okome-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    `port ${port}\nbind ${host}\ndir ${dir}\nsentinel monitor mymaster ${master.host} ${master.port} 1\n`,
  );
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
  try {
    await waitFor(
      async () => {
        const c = await RespClient.connect({ host, port, timeoutMs: 500 });
        try {
          return (await c.send('SENTINEL', 'CKQUORUM', 'mymaster')) !== null;
        } finally {
          c.close();
        }
      },
      10_000,
      `redis sentinel on ${host}:${port}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, port, url: `redis://${host}:${port}`, stop };
}
