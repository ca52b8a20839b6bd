// Test support: a real redis-server on 127.0.0.1 and a free ephemeral port (never mocked).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnRedisServer, startPlainRedis } from '../../test-support/redis-server';
import { RespClient } from './resp';

export { freePort };

export interface RedisServer {
  host: string;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts `redis-server` with extra `--name value` args; resolves once it answers PING. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const host = '127.0.0.1';
  const { port, stop } = await startPlainRedis(
    extraArgs,
    async (port) => {
      const c = await RespClient.connect({ host, port, timeoutMs: 500, ...authFrom(extraArgs) });
      try {
        return (await c.send('PING')) === 'PONG';
      } finally {
        c.close();
      }
    },
    { tmpPrefix: 'okome-redis-', timeoutMs: 10_000 },
  );
  return { host, port, url: `redis://${host}:${port}`, stop };
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
  const stop = await spawnRedisServer({
    args: [conf, '--sentinel'],
    ready: async () => {
      const c = await RespClient.connect({ host, port, timeoutMs: 500 });
      try {
        return (await c.send('SENTINEL', 'CKQUORUM', 'mymaster')) !== null;
      } finally {
        c.close();
      }
    },
    what: `redis sentinel on ${host}:${port}`,
    timeoutMs: 10_000,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
  return { host, port, url: `redis://${host}:${port}`, stop };
}
