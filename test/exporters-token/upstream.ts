// A real HTTP upstream for the tap tests (an engine stand-in on 127.0.0.1:0): OpenAI-style SSE,
// Ollama-style NDJSON, chunked and Content-Length bodies, an echo, a hang and an endless stream
// that records when its client went away.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  url: string;
  /** Requests whose client disconnected before the response ended. */
  aborted: number;
  /** Open server-side sockets right now. */
  sockets(): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random bytes, so a body can be recomputed and compared. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x & 0xff;
  }
  return b;
}

export function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function param(req: IncomingMessage, name: string, def: number): number {
  const v = new URL(req.url ?? '/', 'http://x').searchParams.get(name);
  return v === null ? def : Number(v);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function startUpstream(): Promise<Upstream> {
  let aborted = 0;
  let open = 0;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = await readBody(req);
    const tokens = param(req, 'tokens', 5);
    const gap = param(req, 'gap', 1);
    let finished = false;
    res.on('finish', () => (finished = true));
    res.on('close', () => {
      if (!finished) aborted++;
    });
    if (path.startsWith('/hang')) return; // never answers
    switch (path) {
      case '/api/tags':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ models: [{ name: 'qwen2.5:72b' }] }));
        return;
      case '/v1/models':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-32b-instruct-awq' }] }));
        return;
      case '/v1/chat/completions': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(`data: {"model":"m","choices":[{"delta":{"role":"assistant"}}]}\n\n`);
        for (let i = 0; i < tokens && !res.destroyed; i++) {
          await sleep(gap);
          res.write(`data: {"model":"m","choices":[{"delta":{"content":"t${i} "}}]}\n\n`);
        }
        res.write(
          `data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":${tokens}}}\n\ndata: [DONE]\n\n`,
        );
        res.end();
        return;
      }
      case '/api/generate': {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        for (let i = 0; i < tokens && !res.destroyed; i++) {
          await sleep(gap);
          res.write(`${JSON.stringify({ model: 'm', response: `t${i} `, done: false })}\n`);
        }
        res.end(
          `${JSON.stringify({ model: 'm', response: '', done: true, eval_count: tokens, prompt_eval_count: 3 })}\n`,
        );
        return;
      }
      case '/chunked': {
        const total = bytes(param(req, 'size', 1 << 20), 7);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let off = 0; off < total.length; off += 16_384) {
          if (!res.write(total.subarray(off, off + 16_384)))
            await new Promise((r) => res.once('drain', r));
        }
        res.end();
        return;
      }
      case '/plain': {
        const b = bytes(param(req, 'size', 100_000), 9);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': b.length,
        });
        res.end(b);
        return;
      }
      case '/echo': {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
          'x-body-sha': sha(body),
        });
        res.end(body);
        return;
      }
      case '/endless': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        while (!res.destroyed) {
          res.write(`data: {"choices":[{"delta":{"content":"x"}}]}\n\n`);
          await sleep(5);
        }
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
  server.on('connection', (s) => {
    open++;
    s.on('close', () => open--);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get aborted() {
      return aborted;
    },
    sockets: () => open,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
