// The tap: a streaming reverse proxy that is the hop instrument (DESIGN.md §4). Bytes go
// through untouched and at once: request and response bodies are piped (backpressure kept, no
// buffering, any size), chunked/SSE/NDJSON framing preserved, a client that goes away cancels
// the upstream request. Observers see the same chunks on the side and cannot affect traffic.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseListenAddress, formatHostPort } from '../core/address';
import type { Logger } from '../core/logger';
import {
  bodyFraming,
  ChunkedDecoder,
  headEnd,
  MAX_HEAD_BYTES,
  parseResponseHead,
  ProtocolError,
  reusable,
} from './http1';
import type { BodyFraming, ResponseHead } from './http1';
import { ClientWriter } from './client-writer';
import { UpstreamPool } from './upstream-pool';
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

/** Header pairs (rawHeaders shape) without hop-by-hop ones, those named in Connection, and `drop`. */
function forwardable(raw: readonly string[], connection: unknown, drop?: Set<string>): string[] {
  const listed = new Set(
    String(connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = (raw[i] as string).toLowerCase();
    if (HOP_BY_HOP.has(k) || listed.has(k) || drop?.has(k)) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

// Set by the tap itself on the upstream request; Expect was already answered by the server.
const REQUEST_OWN = new Set(['host', 'x-forwarded-for', 'expect', 'content-length']);

function joinPath(prefix: string, path: string): string {
  if (!prefix || prefix === '/') return path;
  return prefix.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

const SILENT = 'upstream silent for';

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
  const pool = new UpstreamPool(upstreamHost, upstreamPort);

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
  // Observers run after the reads at hand are forwarded (setImmediate: the check phase of the
  // same loop turn, before any new request is read). When an engine's decode step sends a token
  // to every stream at once, the last stream's token then waits for the other writes only, not
  // also for every observer (README "Tap performance"). Times are taken before, so they are exact.
  const queue: (() => void)[] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    const calls = queue.splice(0);
    for (const call of calls) {
      try {
        call();
      } catch (err) {
        observerFailed(err);
      }
    }
  };
  const later = <A extends unknown[]>(fn: ((...a: A) => void) | undefined, ...args: A) => {
    if (!fn) return;
    queue.push(() => fn(...args));
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };

  /** The upstream request head: the client's, minus hop-by-hop headers, plus Host and XFF. */
  function requestHead(req: IncomingMessage, chunkedBody: boolean): string {
    const peer = req.socket.remoteAddress ?? '';
    const xff = req.headers['x-forwarded-for'];
    const pairs = forwardable(req.rawHeaders, req.headers.connection, REQUEST_OWN);
    let head = `${req.method ?? 'GET'} ${joinPath(upstream.pathname, req.url ?? '/')} HTTP/1.1\r\nHost: ${upstream.host}\r\n`;
    for (let i = 0; i < pairs.length; i += 2) head += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
    head += `X-Forwarded-For: ${xff ? `${String(xff)}, ${peer}` : peer}\r\n`;
    const cl = req.headers['content-length'];
    if (chunkedBody) head += 'Transfer-Encoding: chunked\r\n';
    else if (cl !== undefined) head += `Content-Length: ${cl}\r\n`;
    return `${head}\r\n`;
  }

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

    const leased = pool.acquire();
    const up = leased.socket;
    let upstreamFree = false;
    let requestSent = false;
    let bodyDone = false;

    function uncorkUpstream() {
      if (!upstreamCorked) return;
      upstreamCorked = false;
      up.uncork();
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
      // The end is told at once (after what is queued, to keep the order): whoever saw the
      // response end and reads the metrics next must find this exchange counted.
      drain();
      try {
        if (how === 'end') ex?.onEnd?.(summary());
        else if (how === 'abort') {
          counters.aborted++;
          ex?.onAbort?.(summary());
        } else {
          counters.errors++;
          ex?.onError?.(how, summary());
        }
      } catch (err) {
        observerFailed(err);
      }
    };
    const freeUpstream = (reuse: boolean) => {
      if (upstreamFree) return;
      upstreamFree = true;
      uncorkUpstream();
      leased.onData(() => undefined);
      up.off('end', onUpstreamEnd);
      up.off('close', onUpstreamEnd);
      up.off('error', onUpstreamError);
      up.off('timeout', onUpstreamTimeout);
      up.off('drain', resumeRequest);
      up.resume();
      pool.release(up, reuse && requestSent);
    };
    const fail = (kind: TapErrorKind, err: Error | string, answer?: number) => {
      if (done) return;
      freeUpstream(false);
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

    // Request: head, then the body as the client sends it (re-framed only when it was chunked).
    // The head waits (corked) for the body bytes that came in the same read, at most until the
    // end of this loop turn: one write, one segment for the engine to parse.
    const chunkedBody = cl === undefined && req.headers['transfer-encoding'] !== undefined;
    const bodyless = chunkedBody ? false : cl === undefined || cl === '0';
    let upstreamCorked = !bodyless;
    if (upstreamCorked) up.cork();
    up.write(requestHead(req, chunkedBody), 'latin1');
    if (upstreamCorked) setImmediate(uncorkUpstream);
    const resumeRequest = () => req.resume();
    up.on('drain', resumeRequest);
    const onRequestChunk = ex?.onRequestChunk?.bind(ex);
    req.on('data', (chunk: Buffer) => {
      requestBytes += chunk.length;
      later(onRequestChunk, chunk, performance.now());
      if (upstreamFree) return;
      const ok = chunkedBody
        ? up.write(`${chunk.length.toString(16)}\r\n`, 'latin1') &&
          up.write(chunk) &&
          up.write('\r\n', 'latin1')
        : up.write(chunk);
      uncorkUpstream();
      if (!ok) req.pause();
    });
    req.on('end', () => {
      requestSent = true;
      if (chunkedBody && !upstreamFree) up.write('0\r\n\r\n', 'latin1');
      uncorkUpstream();
      later(ex?.onRequestEnd?.bind(ex), requestBytes, performance.now());
    });
    req.on('error', (err) => fail('request', err));

    // Response: the head is parsed here; the body goes to the client as it comes.
    let pendingHead: Buffer | undefined;
    let headBytes = 0;
    let head: ResponseHead | undefined;
    let framing: BodyFraming | undefined;
    let remaining = 0;
    let decoder: ChunkedDecoder | undefined;
    let writer: ClientWriter | undefined;
    let paused = false;
    let readAt = 0;
    const onChunk = ex?.onChunk?.bind(ex);

    // Backpressure: a slow client pauses the upstream (and so the engine's stream).
    const onFull = (whenDrained: (cb: () => void) => void) => {
      if (paused) return;
      paused = true;
      up.pause();
      whenDrained(() => {
        paused = false;
        up.resume();
      });
    };
    const add = (slice: Buffer) => writer?.add(slice);
    /** End of one upstream read: its payload goes to the client in one write. */
    const deliver = () => {
      const payload = writer?.flush();
      if (!payload) return;
      responseBytes += payload.length;
      chunks++;
      later(onChunk, payload, readAt);
    };
    /** The body's last bytes (this read's) and the end of the response leave in one write. */
    const complete = (extra: boolean) => {
      if (bodyDone) return;
      bodyDone = true;
      const client = res.socket;
      client?.cork();
      deliver();
      freeUpstream(
        !extra && head !== undefined && framing !== undefined && reusable(head, framing),
      );
      if (!res.destroyed)
        res.end(); // end() uncorks the socket fully
      else if (client?.writableCorked) client.uncork();
    };

    const startResponse = (h: ResponseHead) => {
      head = h;
      status = h.status;
      framing = bodyFraming(h, req.method ?? 'GET');
      later(ex?.onResponse?.bind(ex), { status, headers: h.headers, at: performance.now() });
      // The length of a body re-framed here is not the upstream's to announce; a HEAD answer
      // keeps it (it describes the GET body).
      const drop =
        framing.kind === 'chunked' || framing.kind === 'close'
          ? new Set(['content-length'])
          : undefined;
      res.writeHead(status, h.statusMessage, forwardable(h.rawHeaders, h.headers.connection, drop));
      // Send headers now: time to first byte must not wait for the first body chunk.
      res.flushHeaders();
      writer = new ClientWriter(res, onFull);
      if (framing.kind === 'chunked') decoder = new ChunkedDecoder(add);
      else if (framing.kind === 'length') remaining = framing.length;
    };

    const body = (buf: Buffer) => {
      if (!framing || bodyDone) return;
      switch (framing.kind) {
        case 'chunked': {
          const end = (decoder as ChunkedDecoder).push(buf);
          if (end >= 0) complete(end < buf.length);
          else deliver();
          return;
        }
        case 'length': {
          const part = buf.length > remaining ? buf.subarray(0, remaining) : buf;
          remaining -= part.length;
          add(part);
          if (remaining === 0) complete(part.length < buf.length);
          else deliver();
          return;
        }
        case 'close':
          add(buf);
          deliver();
          return;
        case 'none':
          complete(buf.length > 0);
      }
    };

    function onUpstreamData(buf: Buffer) {
      readAt = performance.now();
      try {
        if (head) return body(buf);
        headBytes += buf.length;
        let all = pendingHead ? Buffer.concat([pendingHead, buf]) : buf;
        pendingHead = undefined;
        for (;;) {
          const end = headEnd(all);
          if (end < 0) {
            if (all.length > MAX_HEAD_BYTES) throw new ProtocolError('response head too large');
            // Kept as a copy: `buf` is a view of the pool's read buffer, reused by the next read.
            pendingHead = Buffer.from(all);
            return;
          }
          const h = parseResponseHead(all.subarray(0, end - 4));
          all = all.subarray(end);
          if (h.status >= 100 && h.status < 200) {
            if (h.status === 101) throw new ProtocolError('protocol upgrade is not supported');
            continue; // 100 Continue, 103 Early Hints: the final response follows
          }
          // The head and the body bytes of this read leave in one write (flushHeaders alone
          // when the read had none: time to first byte does not wait for the body).
          const client = res.socket;
          client?.cork();
          try {
            startResponse(h);
            if (framing?.kind === 'none' || (framing?.kind === 'length' && framing.length === 0))
              complete(all.length > 0);
            else if (all.length) body(all);
          } finally {
            if (client?.writableCorked) client.uncork();
          }
          return;
        }
      } catch (err) {
        const message = `bad response from upstream: ${(err as Error).message}`;
        fail('upstream-reset', message, 502);
      }
    }
    function onUpstreamEnd() {
      if (bodyDone || done) return;
      if (framing?.kind === 'close') return complete(true);
      if (!head) {
        const why = headBytes
          ? 'upstream closed the connection mid-head'
          : 'upstream closed the connection before answering';
        return fail('connect', why, 502);
      }
      fail('upstream-reset', 'upstream closed the response early');
    }
    function onUpstreamError(err: Error) {
      if (bodyDone || done) return;
      if (head) fail('upstream-reset', err);
      else fail('connect', err, 502);
    }
    function onUpstreamTimeout() {
      const message = `${SILENT} ${idleTimeoutMs} ms`;
      if (head) fail('timeout', message);
      else fail('timeout', message, 504);
    }
    up.setTimeout(idleTimeoutMs);
    leased.onData(onUpstreamData);
    up.on('end', onUpstreamEnd);
    up.on('close', onUpstreamEnd);
    up.on('error', onUpstreamError);
    up.on('timeout', onUpstreamTimeout);

    res.on('finish', () => finish('end'));
    res.on('close', () => {
      if (done) return;
      // The client went away: cancel upstream so the engine stops generating for nobody.
      freeUpstream(false);
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

  return {
    name,
    url,
    upstream: upstream.toString(),
    address: () => addr,
    stats: () => ({
      ...counters,
      clientSockets: clientSockets.size,
      upstreamSockets: pool.size(),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        pool.destroy();
      }),
  };
}
