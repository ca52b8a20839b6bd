// The tap: a streaming reverse proxy that is the hop instrument (DESIGN.md §4). Bytes go
// through untouched and at once: request and response bodies are piped (backpressure kept, no
// buffering, any size), chunked/SSE/NDJSON framing preserved, a client that goes away cancels
// the upstream request. Observers see the same chunks on the side and cannot affect traffic.
import { Agent, createServer, request as httpRequest } from 'node:http';
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseListenAddress, formatHostPort } from '../core/address';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import type {
  TapError,
  TapErrorKind,
  TapExchangeObserver,
  TapObserver,
  TapStats,
  TapSummary,
} from './types';

export interface TapOptions {
  /** `host:port` to listen on; port 0 picks a free one. */
  readonly listen: string;
  /** Base URL of the upstream, e.g. `http://127.0.0.1:11434`; a path prefix is kept. */
  readonly upstream: string;
  readonly observer?: TapObserver;
  /** Name passed to observers and used in logs. */
  readonly name?: string;
  /** Upstream silence (no headers, or no bytes mid-stream) before giving up. Default 5 min. */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface Tap {
  readonly name: string;
  /** `http://host:port` the tap listens on. */
  readonly url: string;
  readonly upstream: string;
  address(): AddressInfo;
  stats(): TapStats;
  close(): Promise<void>;
}

// RFC 9110 §7.6.1 connection-specific headers, never forwarded by a proxy.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || listed.has(k)) continue;
    out[k] = v;
  }
  return out;
}

function joinPath(prefix: string, path: string): string {
  if (!prefix || prefix === '/') return path;
  return prefix.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export async function createTap(opts: TapOptions): Promise<Tap> {
  const name = opts.name ?? 'tap';
  const logger = opts.logger ?? silentLogger;
  let upstream: URL;
  try {
    upstream = new URL(opts.upstream);
  } catch {
    throw new Error(
      `tap ${name}: upstream "${opts.upstream}" is not a URL (e.g. http://127.0.0.1:11434)`,
    );
  }
  if (upstream.protocol !== 'http:')
    throw new Error(`tap ${name}: upstream must be http:// (got ${upstream.protocol})`);
  const listen = parseListenAddress(opts.listen, `tap ${name} listen address`);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 300_000;
  const upstreamPort = Number(upstream.port || 80);
  const upstreamHost = upstream.hostname.replace(/^\[|\]$/g, '');
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });

  const counters = { active: 0, total: 0, aborted: 0, errors: 0, observerErrors: 0 };
  const clientSockets = new Set<Socket>();
  let warnedObserver = false;

  const observerFailed = (err: unknown) => {
    counters.observerErrors++;
    if (!warnedObserver) {
      warnedObserver = true;
      logger.warn('tap observer threw; traffic unaffected', { tap: name, err });
    }
  };
  const safe = <A extends unknown[]>(fn: ((...a: A) => void) | undefined, ...args: A) => {
    if (!fn) return;
    try {
      fn(...args);
    } catch (err) {
      observerFailed(err);
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse) {
    const startedAt = performance.now();
    counters.active++;
    counters.total++;
    let requestBytes = 0;
    let responseBytes = 0;
    let chunks = 0;
    let status: number | undefined;
    let done = false;
    const cl = req.headers['content-length'];

    let ex: TapExchangeObserver | undefined;
    try {
      ex =
        opts.observer?.onRequest({
          tap: name,
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          contentLength: cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined,
          startedAt,
          wallTime: Date.now(),
        }) ?? undefined;
    } catch {
      counters.observerErrors++;
    }

    const summary = (): TapSummary => ({
      requestBytes,
      responseBytes,
      chunks,
      status,
      startedAt,
      endedAt: performance.now(),
    });
    const finish = (how: 'end' | 'abort' | TapError) => {
      if (done) return;
      done = true;
      counters.active--;
      if (how === 'end') safe(ex?.onEnd?.bind(ex), summary());
      else if (how === 'abort') {
        counters.aborted++;
        safe(ex?.onAbort?.bind(ex), summary());
      } else {
        counters.errors++;
        safe(ex?.onError?.bind(ex), how, summary());
      }
    };
    const fail = (kind: TapErrorKind, err: Error | string, answer?: number) => {
      const message = typeof err === 'string' ? err : err.message;
      if (answer && !res.headersSent) {
        status = answer;
        const body = JSON.stringify({ error: `okome tap ${name}: ${message}` });
        res.writeHead(answer, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      } else {
        // Mid-stream: cutting the connection is the only honest signal left.
        res.destroy();
      }
      finish({ kind, message });
    };

    const headers = forwardable(req.headers);
    headers.host = upstream.host;
    const xff = req.headers['x-forwarded-for'];
    const peer = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = xff ? `${String(xff)}, ${peer}` : peer;

    const upReq = httpRequest({
      agent,
      host: upstreamHost,
      port: upstreamPort,
      method: req.method,
      path: joinPath(upstream.pathname, req.url ?? '/'),
      headers,
    });
    upReq.setTimeout(idleTimeoutMs, () => {
      upReq.destroy(new Error(`upstream silent for ${idleTimeoutMs} ms`));
    });

    // Hot path: callbacks bound once per exchange, no allocation per chunk beyond the event.
    const onRequestChunk = ex?.onRequestChunk?.bind(ex);
    req.on('data', (chunk: Buffer) => {
      requestBytes += chunk.length;
      if (onRequestChunk) {
        try {
          onRequestChunk(chunk, performance.now());
        } catch (err) {
          observerFailed(err);
        }
      }
    });
    req.on('end', () => safe(ex?.onRequestEnd?.bind(ex), requestBytes, performance.now()));
    req.on('error', (err) => {
      upReq.destroy();
      fail('request', err);
    });
    req.pipe(upReq);

    upReq.on('response', (upRes) => {
      status = upRes.statusCode ?? 502;
      const at = performance.now();
      safe(ex?.onResponse?.bind(ex), { status, headers: upRes.headers, at });
      res.writeHead(status, upRes.statusMessage, forwardable(upRes.headers));
      // Send headers now: time to first byte must not wait for the first body chunk.
      res.flushHeaders();
      const onChunk = ex?.onChunk?.bind(ex);
      // One upstream read becomes many 'data' events (one per HTTP chunk, i.e. per token for
      // a streaming engine), all in the same tick. They are merged and written once when the
      // tick ends: one HTTP chunk and one syscall per read instead of per token, which is
      // what makes the tap keep up with the engine (README "Tap performance"). Nothing waits
      // past the current tick, so no token is delayed. The read is timed once: its chunks
      // reach the client together, so observers get the same `at` for all of them.
      let held: Buffer[] = [];
      let readAt = 0;
      const flush = () => {
        if (!held.length) return;
        const out = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held);
        held = [];
        if (res.destroyed || res.writableEnded) return;
        // Backpressure: a slow client pauses the upstream (and so the engine's stream).
        if (!res.write(out)) upRes.pause();
      };
      res.on('drain', () => upRes.resume());
      upRes.on('data', (chunk: Buffer) => {
        if (!held.length) {
          readAt = performance.now();
          process.nextTick(flush);
        }
        held.push(chunk);
        responseBytes += chunk.length;
        chunks++;
        if (onChunk) {
          try {
            onChunk(chunk, readAt);
          } catch (err) {
            observerFailed(err);
          }
        }
      });
      upRes.on('end', () => {
        flush();
        if (!res.destroyed) res.end();
      });
      upRes.on('error', (err) => {
        const timedOut = /silent for/.test(err.message);
        fail(timedOut ? 'timeout' : 'upstream-reset', err);
      });
      upRes.on('aborted', () => fail('upstream-reset', 'upstream closed the response early'));
    });

    upReq.on('error', (err) => {
      if (done) return;
      if (res.headersSent) {
        const timedOut = /silent for/.test(err.message);
        fail(timedOut ? 'timeout' : 'upstream-reset', err);
        return;
      }
      const timedOut = /silent for/.test(err.message);
      fail(timedOut ? 'timeout' : 'connect', err, timedOut ? 504 : 502);
    });

    res.on('finish', () => finish('end'));
    res.on('close', () => {
      if (done) return;
      // The client went away: cancel upstream so the engine stops generating for nobody.
      upReq.destroy();
      finish('abort');
    });
  }

  const server: Server = createServer({ noDelay: true }, handle);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // long generations must not be cut by the server itself
  server.on('connection', (s: Socket) => {
    clientSockets.add(s);
    s.on('close', () => clientSockets.delete(s));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy(err);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${formatHostPort(addr.address === '::' ? '127.0.0.1' : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address, addr.port)}`;
  logger.info('tap listening', { tap: name, listen: url, upstream: upstream.origin });

  const countSockets = (m: NodeJS.ReadOnlyDict<Socket[]>) =>
    Object.values(m).reduce((n, list) => n + (list?.length ?? 0), 0);

  return {
    name,
    url,
    upstream: upstream.toString(),
    address: () => addr,
    stats: () => ({
      ...counters,
      clientSockets: clientSockets.size,
      upstreamSockets: countSockets(agent.sockets) + countSockets(agent.freeSockets),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
