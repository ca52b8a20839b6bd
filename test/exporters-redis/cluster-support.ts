// A real Redis Cluster on loopback for the --is-cluster tests: three masters, each with an
// ephemeral client port and an explicit bus port (--cluster-port; port+10000 may not exist),
// joined by `redis-cli --cluster create`. Every wait is bounded.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'okome-redis-cluster-'));
  const nodes = new Map<number, ChildProcess>();
  const stopAll = async (): Promise<void> => {
    await Promise.all([...nodes.values()].map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      const child = spawn(
        'redis-server',
        [
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
        { stdio: 'ignore' },
      );
      nodes.set(port, child);
      await waitUntil(
        async () => (await redisCli(port, 'PING')).startsWith('+PONG'),
        `redis-server :${port}`,
      );
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
        const child = nodes.get(port);
        if (child) await stopChild(child);
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
