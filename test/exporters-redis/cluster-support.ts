// A real Redis Cluster on loopback for the --is-cluster tests: three masters, each with an
// ephemeral client port and an explicit bus port (--cluster-port; port+10000 may not exist),
// joined by `redis-cli --cluster create`. Every wait is bounded.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnRedisServer, waitUntil } from '../../exporters/src/test-support/redis-server';
import { freePort, HOST, redisCli } from './support';

const execFileAsync = promisify(execFile);

export interface RedisCluster {
  ports: number[];
  /** redis-cli in cluster mode (-c): follows MOVED, so fixtures land on the owning master. */
  cli(...args: string[]): Promise<string>;
  /** Stops one node (the others keep running). */
  stopNode(port: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'okome-redis-cluster-'));
  /** client port → stop */
  const nodes = new Map<number, () => Promise<void>>();
  const stopAll = async (): Promise<void> => {
    await Promise.all([...nodes.values()].map((stop) => stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      const stop = await spawnRedisServer({
        args: [
          '--bind',
          HOST,
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        ready: async () => (await redisCli(port, 'PING')).startsWith('+PONG'),
        what: `redis-server :${port}`,
        timeoutMs: 20_000,
      });
      nodes.set(port, stop);
    }
    const ports = [...nodes.keys()];
    await execFileAsync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitUntil(
      async () =>
        (await Promise.all(ports.map((p) => redisCli(p, 'CLUSTER', 'INFO')))).every((t) =>
          t.includes('cluster_state:ok'),
        ),
      'cluster_state:ok on every node',
      20_000,
    );
    return {
      ports,
      async cli(...args) {
        const { stdout } = await execFileAsync(
          'redis-cli',
          ['-c', '-h', HOST, '-p', String(ports[0]), ...args],
          { timeout: 10_000 },
        );
        return stdout;
      },
      async stopNode(port) {
        await nodes.get(port)?.();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
