// Real nginx: the actuator rewrites the upstream, reloads, verifies, and rolls back on failure;
// a long stream that started before the reload finishes on the old workers.
import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { BackendState, Inventory } from '@okome/provisioning';
import { ActuatorError } from '../errors';
import { startNginx } from '../testing/nginx';
import type { TestNginx } from '../testing/nginx';
import { poolOf, tempDir, testInventory } from '../testing/fixtures';
import { NginxActuator } from './nginx';
import { renderUpstream } from './render-nginx';
import type { PoolChange } from './types';

const BACKENDS = ['CORE', 'NODE-07', 'NODE-08'];
let tmp: ReturnType<typeof tempDir>;
let nginx: TestNginx;
let servers: Server[] = [];
let inv: Inventory;

/** Each backend answers with its name; /stream sends 20 chunks 100 ms apart. */
async function startBackend(name: string): Promise<number> {
  const server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const t = setInterval(() => {
        res.write(`data: ${name} ${i}\n\n`);
        if (++i === 20) {
          clearInterval(t);
          res.end();
        }
      }, 100);
      req.on('close', () => clearInterval(t));
      return;
    }
    res.end(name);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

beforeEach(async () => {
  tmp = tempDir();
  inv = testInventory(undefined, {});
  inv.routing.pools[0]!.actuator = 'nginx';
  for (const id of BACKENDS) {
    const node = inv.nodes.find((n) => n.id === id)!;
    node.address = '127.0.0.1';
    node.services[0]!.port = await startBackend(id);
  }
  nginx = await startNginx(tmp.dir, [{ name: 'engine', initial: renderUpstream(inv, 'engine') }]);
  inv.nodes.find((n) => n.id === 'NODE-01')!.tools = {
    nginxConf: nginx.conf,
    nginxUpstreamDir: nginx.upstreamDir,
  };
});

afterEach(async () => {
  nginx.stop();
  await Promise.all(
    servers.map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
  servers = [];
  tmp.cleanup();
});

const change = (
  desired: Record<string, BackendState>,
  previous: Record<string, BackendState> = {},
  inventory = inv,
): PoolChange => ({
  inventory,
  pool: poolOf(inventory),
  desired,
  previous,
  backend: 'CORE',
  actionId: `t-${Math.random()}`,
});

/** One request on a fresh connection (a kept-alive one would stay with an old worker). */
function ask(): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: nginx.port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('nginx actuator', () => {
  it('renders drained and disabled backends down, with weights and backup order', () => {
    const text = renderUpstream(inv, 'engine', { CORE: 'drain', 'NODE-08': 'disabled' });
    expect(text).toMatch(/^upstream okome_engine \{\n {4}least_conn;/m);
    expect(text.split('\n').filter((l) => l.trim().startsWith('server '))).toEqual([
      expect.stringMatching(
        /^ {4}server 127\.0\.0\.1:\d+ weight=10 max_fails=2 fail_timeout=30s down;\s+# CORE vllm drain$/,
      ),
      expect.stringMatching(
        /^ {4}server 127\.0\.0\.1:\d+ max_fails=2 fail_timeout=30s backup;\s+# NODE-07 vllm enabled$/,
      ),
      expect.stringMatching(
        /^ {4}server 127\.0\.0\.1:\d+ max_fails=2 fail_timeout=30s backup down;\s+# NODE-08 vllm disabled$/,
      ),
    ]);
  });

  it('drains a backend: new requests go to the backups, and it comes back on enable', async () => {
    const a = new NginxActuator();
    expect(await ask()).toBe('CORE');
    const c = change({ CORE: 'drain' });
    await a.apply(c);
    await a.verify(c);
    for (let i = 0; i < 5; i++) expect(['NODE-07', 'NODE-08']).toContain(await ask());
    expect(readFileSync(join(nginx.upstreamDir, 'engine.conf'), 'utf8')).toMatch(
      /down;\s+# CORE vllm drain/,
    );
    const back = change({}, { CORE: 'drain' });
    await a.apply(back);
    await a.verify(back);
    expect(await ask()).toBe('CORE');
  });

  it('keeps an in-flight stream alive across the reload', async () => {
    const a = new NginxActuator();
    const res = await fetch(`http://127.0.0.1:${nginx.port}/stream`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('data: CORE 0');
    const c = change({ CORE: 'drain' });
    await a.apply(c);
    await a.verify(c);
    expect(await ask()).not.toBe('CORE');
    let rest = first;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest.match(/data: CORE \d+/g)).toHaveLength(20);
  });

  it('restores the previous file and keeps serving when nginx -t rejects the new one', async () => {
    const a = new NginxActuator();
    const before = readFileSync(join(nginx.upstreamDir, 'engine.conf'), 'utf8');
    const broken = structuredClone(inv);
    broken.nodes.find((n) => n.id === 'NODE-07')!.address = 'no-such-host.invalid';
    const c = change({ CORE: 'drain' }, {}, broken);
    const err = await a.apply(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorError);
    expect((err as Error).message).toMatch(
      /NODE-01: nginx -t failed: .*host not found in upstream "no-such-host.invalid/,
    );
    await a.rollback(c);
    expect(readFileSync(join(nginx.upstreamDir, 'engine.conf'), 'utf8')).toBe(before);
    expect(await ask()).toBe('CORE');
  });

  it('fails verification when the served config is not the desired one', async () => {
    const a = new NginxActuator();
    await expect(a.verify(change({ CORE: 'disabled' }))).rejects.toThrow(
      /does not contain the new upstream engine/,
    );
  });

  it('says which frontend lacks its nginx paths', async () => {
    inv.nodes.find((n) => n.id === 'NODE-01')!.tools = undefined;
    await expect(new NginxActuator().apply(change({ CORE: 'drain' }))).rejects.toThrow(
      /frontend NODE-01 of pool engine has no tools.nginxConf/,
    );
  });
});
