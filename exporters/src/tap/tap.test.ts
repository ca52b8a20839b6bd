import { createHash } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTap } from './tap';
import type { Tap } from './tap';
import type { TapExchangeObserver, TapRequestInfo } from './types';

interface Seen {
  info: TapRequestInfo;
  events: string[];
  chunks: number;
  bytes: number;
}

function recorder() {
  const seen: Seen[] = [];
  const observer = {
    onRequest(info: TapRequestInfo): TapExchangeObserver {
      const s: Seen = { info, events: ['request'], chunks: 0, bytes: 0 };
      seen.push(s);
      return {
        onResponse: (r) => void s.events.push(`response ${r.status}`),
        onChunk: (c) => {
          s.chunks++;
          s.bytes += c.length;
        },
        onEnd: () => void s.events.push('end'),
        onAbort: () => void s.events.push('abort'),
        onError: (e) => void s.events.push(`error ${e.kind}`),
      };
    },
  };
  return { seen, observer };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** GET over a bare socket: the response head and the body exactly as they came on the wire. */
function rawGet(base: string, path: string, version = '1.1') {
  const { hostname, port } = new URL(base);
  return new Promise<{ head: string; body: Buffer }>((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port) });
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      parts.push(c);
      const all = Buffer.concat(parts);
      // Done at the end of a chunked body (or when the server closes, for HTTP/1.0).
      if (all.includes('\r\n0\r\n\r\n') || all.subarray(-5).toString() === '0\r\n\r\n') s.end();
    });
    s.on('error', reject);
    s.on('close', () => {
      const all = Buffer.concat(parts);
      const at = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, at + 2).toString('latin1'), body: all.subarray(at + 4) });
    });
    s.write(`GET ${path} HTTP/${version}\r\nHost: x\r\n\r\n`);
  });
}

/** The payload of a chunked body (or, with `list`, its chunks). */
function dechunk(body: Buffer, list: true): string[];
function dechunk(body: Buffer): string;
function dechunk(body: Buffer, list?: true): string | string[] {
  const chunks: string[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    chunks.push(body.subarray(eol + 2, eol + 2 + size).toString());
    at = eol + 2 + size + 2;
  }
  return list ? chunks : chunks.join('');
}

describe('tap', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const upstreamClosed: string[] = [];
  let releaseSlow: (() => void) | undefined;

  beforeAll(async () => {
    upstream = createServer((req: IncomingMessage, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/stream')) {
        // NDJSON lines 40 ms apart, the way Ollama streams tokens.
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        let i = 0;
        const t = setInterval(() => {
          if (i < 5) res.write(JSON.stringify({ response: `t${i++}`, done: false }) + '\n');
          else {
            clearInterval(t);
            res.end(JSON.stringify({ done: true, eval_count: 5 }) + '\n');
          }
        }, 40);
        return;
      }
      if (url.startsWith('/echo-hash')) {
        const hash = createHash('sha256');
        let n = 0;
        req.on('data', (c: Buffer) => {
          hash.update(c);
          n += c.length;
        });
        req.on('end', () => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ bytes: n, sha256: hash.digest('hex') }));
        });
        return;
      }
      if (url.startsWith('/big')) {
        const size = 10 * 1024 * 1024;
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
        const block = Buffer.alloc(64 * 1024, 7);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += block.length;
            if (!res.write(block)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      if (url.startsWith('/burst')) {
        // 200 tokens written in one tick: 200 HTTP chunks that arrive at the tap in few reads.
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.cork();
        for (let i = 0; i < 200; i++) res.write(`{"response":"t${i}","done":false}\n`);
        res.uncork();
        res.end('{"done":true,"eval_count":200}\n');
        return;
      }
      if (url.startsWith('/hang')) {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.write('{"response":"first","done":false}\n');
        res.on('close', () => upstreamClosed.push(url));
        releaseSlow = () => res.end();
        return;
      }
      if (url.startsWith('/path')) {
        res.writeHead(201, {
          'X-Upstream-Host': req.headers.host ?? '',
          'Content-Type': 'text/plain',
        });
        res.end(`${req.method} ${url}`);
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    releaseSlow?.();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  async function withTap<T>(fn: (tap: Tap, seen: Seen[]) => Promise<T>, observerThrows = false) {
    const { seen, observer } = recorder();
    const tap = await createTap({
      listen: '127.0.0.1:0',
      upstream: upstreamUrl,
      name: 'test',
      observer: observerThrows
        ? {
            onRequest: (i) => {
              observer.onRequest(i);
              return {
                onChunk: () => {
                  throw new Error('observer bug');
                },
              };
            },
          }
        : observer,
    });
    try {
      return await fn(tap, seen);
    } finally {
      await tap.close();
    }
  }

  it('forwards each NDJSON line as it comes, before the response ends', () =>
    withTap(async (tap, seen) => {
      const res = await fetch(`${tap.url}/stream`);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const reader = res.body!.getReader();
      const arrivals: number[] = [];
      const started = Date.now();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arrivals.push(Date.now() - started);
        text += Buffer.from(value).toString();
      }
      expect(text.trim().split('\n')).toHaveLength(6);
      // Six writes 40 ms apart reached the client spread out, not in one burst at the end.
      expect(arrivals.length).toBeGreaterThanOrEqual(5);
      expect(arrivals[arrivals.length - 1]! - arrivals[0]!).toBeGreaterThan(120);
      await until(() => seen[0]?.events.includes('end') === true, 'end');
      expect(seen[0]!.events).toEqual(['request', 'response 200', 'end']);
      expect(seen[0]!.chunks).toBeGreaterThanOrEqual(5);
      expect(seen[0]!.bytes).toBe(Buffer.byteLength(text));
    }));

  it('writes the chunks of one upstream read to the client at once, bytes unchanged', () =>
    withTap(async (tap, seen) => {
      const expected = Array.from({ length: 200 }, (_, i) => `{"response":"t${i}","done":false}\n`)
        .concat('{"done":true,"eval_count":200}\n')
        .join('');
      const direct = await rawGet(upstreamUrl, '/burst');
      const tapped = await rawGet(tap.url, '/burst');
      expect(tapped.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(tapped.head).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
      expect(dechunk(tapped.body)).toBe(expected);
      expect(dechunk(direct.body)).toBe(expected);
      // The upstream sent 201 HTTP chunks in a few reads; the client gets one chunk per read,
      // which is what keeps the tap (and its client) at the engine's throughput.
      const chunksOf = (b: Buffer) => dechunk(b, true).length;
      expect(chunksOf(direct.body)).toBe(201);
      expect(chunksOf(tapped.body)).toBeLessThan(50);
      await until(() => seen[0]?.events.includes('end') === true, 'end');
      expect(seen[0]!.bytes).toBe(expected.length);
      expect(seen[0]!.chunks).toBe(chunksOf(tapped.body));
    }));

  it('re-frames for an HTTP/1.0 client and passes a chunked request body', () =>
    withTap(async (tap) => {
      const old = await rawGet(tap.url, '/burst', '1.0');
      expect(old.head).not.toMatch(/transfer-encoding/i);
      expect(old.body.toString().split('\n').filter(Boolean)).toHaveLength(201);
      const parts = ['{"model":', '"x",', '"pad":"', 'y'.repeat(70_000), '"}'];
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (const p of parts) c.enqueue(Buffer.from(p));
          c.close();
        },
      });
      const res = await fetch(`${tap.url}/echo-hash`, {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit);
      const whole = Buffer.from(parts.join(''));
      expect(await res.json()).toEqual({
        bytes: whole.length,
        sha256: createHash('sha256').update(whole).digest('hex'),
      });
    }));

  it('reuses one upstream connection for sequential keep-alive requests', () =>
    withTap(async (tap) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 5; i++) {
          const text = await new Promise<string>((resolve, reject) => {
            request(`${tap.url}/burst`, { agent }, (res) => {
              let t = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (t += c));
              res.on('end', () => resolve(t));
            })
              .on('error', reject)
              .end();
          });
          expect(text.split('\n').filter(Boolean)).toHaveLength(201);
        }
        expect(tap.stats()).toMatchObject({ total: 5, active: 0, clientSockets: 1 });
        expect(tap.stats().upstreamSockets).toBe(1);
      } finally {
        agent.destroy();
      }
    }));

  it('passes a 10 MB request body and a 10 MB response unchanged', () =>
    withTap(async (tap) => {
      const body = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
      const res = await fetch(`${tap.url}/echo-hash`, { method: 'POST', body });
      expect(await res.json()).toEqual({
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      });
      const big = await fetch(`${tap.url}/big`);
      expect(big.headers.get('content-length')).toBe(String(10 * 1024 * 1024));
      expect((await big.arrayBuffer()).byteLength).toBe(10 * 1024 * 1024);
    }));

  it('answers HEAD with the upstream headers and no body, and the connection stays usable', () =>
    withTap(async (tap) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const head = await new Promise<{ status?: number; length?: string; body: string }>(
          (resolve, reject) => {
            request(`${tap.url}/big`, { method: 'HEAD', agent }, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () =>
                resolve({ status: res.statusCode, length: res.headers['content-length'], body }),
              );
            })
              .on('error', reject)
              .end();
          },
        );
        expect(head).toEqual({ status: 200, length: String(10 * 1024 * 1024), body: '' });
        const next = await fetch(`${tap.url}/path/after-head`);
        expect(await next.text()).toBe('GET /path/after-head');
      } finally {
        agent.destroy();
      }
    }));

  it('keeps method, path, query and status; sets Host to the upstream', () =>
    withTap(async (tap) => {
      const res = await fetch(`${tap.url}/path/x?y=1`, { method: 'PUT', body: 'z' });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('PUT /path/x?y=1');
      expect(res.headers.get('x-upstream-host')).toBe(new URL(upstreamUrl).host);
    }));

  it('cancels the upstream request when the client aborts, and leaks no sockets', () =>
    withTap(async (tap, seen) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no first chunk')), 3000);
        const req = request(`${tap.url}/hang`, (res) => {
          res.once('data', () => {
            req.destroy();
            clearTimeout(timer);
            resolve();
          });
        });
        req.on('error', () => undefined);
        req.on('close', resolve);
        req.end();
      });
      await until(() => upstreamClosed.includes('/hang'), 'upstream to see the cancel');
      await until(() => seen[0]?.events.includes('abort') === true, 'abort callback');
      await until(
        () => tap.stats().active === 0 && tap.stats().clientSockets === 0,
        'sockets to close',
      );
      expect(tap.stats()).toMatchObject({
        active: 0,
        aborted: 1,
        clientSockets: 0,
        upstreamSockets: 0,
      });
    }));

  it('answers 502 with a JSON error when the upstream is down', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const { seen, observer } = recorder();
    const tap = await createTap({
      listen: '127.0.0.1:0',
      upstream: `http://127.0.0.1:${port}`,
      observer,
    });
    try {
      const res = await fetch(`${tap.url}/api/generate`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: string }).error).toMatch(/ECONNREFUSED/);
      expect(seen[0]!.events).toEqual(['request', 'error connect']);
    } finally {
      await tap.close();
    }
  });

  it('reads a response head that arrives in several writes', async () => {
    // A bare upstream that sends its head in three pieces, 30 ms apart.
    const split = createNetServer((sock) => {
      sock.once('data', () => {
        const parts = [
          'HTTP/1.1 200 OK\r\nContent-Type: text/pl',
          'ain\r\nX-Split: yes\r\nContent-Length: 5\r\n',
          '\r\nhello',
        ];
        parts.forEach((p, i) => setTimeout(() => sock.write(p), 30 * i));
      });
    });
    await new Promise<void>((r) => split.listen(0, '127.0.0.1', r));
    const tap = await createTap({
      listen: '127.0.0.1:0',
      upstream: `http://127.0.0.1:${(split.address() as AddressInfo).port}`,
    });
    try {
      const res = await fetch(`${tap.url}/x`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-split')).toBe('yes');
      expect(res.headers.get('content-type')).toBe('text/plain');
      expect(await res.text()).toBe('hello');
    } finally {
      await tap.close();
      await new Promise((r) => split.close(r));
    }
  });

  it('answers 504 when the upstream stays silent past the idle timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const tap = await createTap({
      listen: '127.0.0.1:0',
      upstream: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      idleTimeoutMs: 200,
    });
    try {
      const res = await fetch(`${tap.url}/x`);
      expect(res.status).toBe(504);
    } finally {
      await tap.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('keeps forwarding when an observer throws', () =>
    withTap(async (tap) => {
      const text = await (await fetch(`${tap.url}/stream`)).text();
      expect(text.trim().split('\n')).toHaveLength(6);
      expect(tap.stats().observerErrors).toBeGreaterThan(0);
    }, true));

  it('rejects a bad upstream or listen address with a clear message', async () => {
    await expect(createTap({ listen: '127.0.0.1:0', upstream: 'not a url' })).rejects.toThrow(
      'upstream "not a url" is not a URL',
    );
    await expect(createTap({ listen: 'nowhere', upstream: upstreamUrl })).rejects.toThrow(
      '"nowhere" is not host:port',
    );
  });
});
