// The rendered nginx files, run by a real nginx on loopback: tokens stream through unbuffered,
// a drained backend stops getting requests after a reload, and a dead one is failed over.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventory } from '../inventory/load';
import type { BackendState, Inventory } from '../inventory/schema';
import { renderNginxMain, renderNginxServer, renderNginxUpstream } from './nginx';

// Addresses of this test only, so parallel work on other 127.x addresses cannot collide.
const FRONT = '127.0.91.1';
const GPU1 = '127.0.91.2';
const GPU2 = '127.0.91.3';

interface Backend {
  server: Server;
  port: number;
  /** Resolves the gate the next streamed response waits on before its second token. */
  release: () => void;
}

async function startBackend(address: string, name: string): Promise<Backend> {
  let gate: () => void = () => undefined;
  const backend = { release: () => gate() } as Backend;
  backend.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-backend': name });
    res.write(`{"token":"first","from":"${name}"}\n`);
    if (req.url !== '/stream') {
      res.end(`{"done":true}\n`);
      return;
    }
    new Promise<void>((resolve) => (gate = resolve)).then(() => res.end(`{"done":true}\n`));
  });
  backend.server.listen(0, address);
  await once(backend.server, 'listening');
  backend.port = (backend.server.address() as AddressInfo).port;
  return backend;
}

async function freePort(address: string): Promise<number> {
  const s = createServer();
  s.listen(0, address);
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  await once(s, 'close');
  return port;
}

function inventoryFor(listenPort: number, gpu1Port: number, gpu2Port: number): Inventory {
  const text = `cluster: live
nodes:
  - { id: fe, hostname: fe, address: ${FRONT}, roles: [ingress, observability] }
  - id: gpu1
    hostname: gpu1
    address: ${GPU1}
    roles: [gpu-worker]
    services: [{ name: ollama, kind: ollama, port: ${gpu1Port} }]
  - id: gpu2
    hostname: gpu2
    address: ${GPU2}
    roles: [gpu-worker]
    services: [{ name: ollama, kind: ollama, port: ${gpu2Port} }]
routing:
  pools:
    - name: engine
      hop: engine
      frontends: [fe]
      listenPort: ${listenPort}
      balance: least_conn
      backends:
        - { node: gpu1, service: ollama }
        - { node: gpu2, service: ollama, backup: true }
      failoverOrder: [gpu1, gpu2]
      maxFails: 1
      failTimeout: 10s
`;
  const { inventory, problems } = parseInventory(text, 'live.yaml');
  if (!inventory) throw new Error(problems.map((p) => p.message).join('\n'));
  return inventory;
}

interface Reply {
  status: number;
  backend: string;
  upstream: string;
  body: string;
}

/** GET through nginx; `onFirstChunk` runs when the first bytes arrive, before the body ends. */
function get(port: number, path: string, onFirstChunk?: (chunk: string) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: FRONT, port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      let first = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (first) onFirstChunk?.(chunk);
        first = false;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          backend: String(res.headers['x-backend'] ?? ''),
          upstream: String(res.headers['x-okome-upstream'] ?? ''),
          body,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rendered nginx, running', () => {
  let dir: string;
  let nginx: ChildProcess | undefined;
  let gpu1: Backend;
  let gpu2: Backend;
  let inv: Inventory;
  let port: number;
  const conf = () => join(dir, 'nginx.conf');

  const writeUpstream = (state: Record<string, BackendState>) =>
    writeFileSync(join(dir, 'upstreams', 'engine.conf'), renderNginxUpstream(inv, 'engine', state));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okome-nginx-live-'));
    mkdirSync(join(dir, 'upstreams'));
    mkdirSync(join(dir, 'servers'));
    gpu1 = await startBackend(GPU1, 'gpu1');
    gpu2 = await startBackend(GPU2, 'gpu2');
    port = await freePort(FRONT);
    inv = inventoryFor(port, gpu1.port, gpu2.port);
    writeFileSync(
      conf(),
      renderNginxMain({
        prefix: dir,
        pidFile: join(dir, 'nginx.pid'),
        errorLog: join(dir, 'error.log'),
        upstreamDir: join(dir, 'upstreams'),
        serverDir: join(dir, 'servers'),
      }),
    );
    writeUpstream({});
    writeFileSync(join(dir, 'servers', 'engine.conf'), renderNginxServer(inv, 'engine', 'fe'));
    nginx = spawn('nginx', ['-p', dir, '-c', conf(), '-g', 'daemon off;'], { stdio: 'ignore' });
    await until('nginx to listen', async () => (await get(port, '/')).status || undefined);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await once(nginx, 'exit');
    }
    gpu1?.server.close();
    gpu2?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams the first token before the backend has finished', async () => {
    let firstChunk = '';
    const reply = await get(port, '/stream', (chunk) => {
      // The backend holds the rest of the answer until this runs: a proxy that waited for
      // the whole response would never deliver this chunk and the request would time out.
      firstChunk = chunk;
      gpu1.release();
    });
    expect(firstChunk).toBe('{"token":"first","from":"gpu1"}\n');
    expect(reply).toMatchObject({ status: 200, backend: 'gpu1', upstream: `${GPU1}:${gpu1.port}` });
    expect(reply.body.trim().split('\n')).toHaveLength(2);
  });

  it('sends new requests to the backup once the primary is drained and nginx reloaded', async () => {
    writeUpstream({ gpu1: 'drain' });
    expect(spawnSync('nginx', ['-p', dir, '-c', conf(), '-s', 'reload']).status).toBe(0);
    const reply = await until('the drain to apply', async () => {
      const r = await get(port, '/');
      return r.backend === 'gpu2' ? r : undefined;
    });
    expect(reply.upstream).toBe(`${GPU2}:${gpu2.port}`);
  });

  it('fails over to the backup when the primary stops answering', async () => {
    writeUpstream({});
    expect(spawnSync('nginx', ['-p', dir, '-c', conf(), '-s', 'reload']).status).toBe(0);
    await until('gpu1 to serve again', async () =>
      (await get(port, '/')).backend === 'gpu1' ? true : undefined,
    );
    gpu1.server.close();
    gpu1.server.closeAllConnections();
    await once(gpu1.server, 'close');
    const reply = await get(port, '/');
    // One request, no client-side retry: nginx moved on to the backup by itself.
    expect(reply).toMatchObject({ status: 200, backend: 'gpu2' });
  });
});
