// The tap: a streaming reverse proxy that is the hop instrument (DESIGN.md §4). Bytes go
// through untouched and at once: request and response bodies are piped (backpressure kept, no
// buffering, any size), chunked/SSE/NDJSON framing preserved, a client that goes away cancels
// the upstream request. Observers see the same chunks on the side and cannot affect traffic.
import { STATUS_CODES } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
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
import { ClientConnection } from './client-connection';
import type { ClientExchange, ExchangeCallbacks } from './client-connection';
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

// Set by the tap itself on the upstream request; Expect was already answered by the tap.
const REQUEST_OWN = new Set(['host', 'x-forwarded-for', 'expect', 'content-length']);

function joinPath(prefix: string, path: string): string {
  if (!prefix || prefix === '/') return path;
  return prefix.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

const SILENT = 'upstream silent for';
const CONTENT_LENGTH = new Set(['content-length']);
const CHUNKED_END = '0\r\n\r\n';

/** Idle time a client connection is kept between requests (announced in Keep-Alive). */
const KEEP_ALIVE_S = 65;

function connectionHeader(keepAlive: boolean): string {
  return keepAlive
    ? `Connection: keep-alive\r\nKeep-Alive: timeout=${KEEP_ALIVE_S}\r\n`
    : 'Connection: close\r\n';
}

// The Date header of the tap's own answers (and of upstream answers without one), made once a
// second, as Node's server does.
let dateText = '';
let dateSecond = -1;
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
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
  // Observers run synchronously, next to the write of the bytes they see (a token's after it: it
  // has already left). Deferring them to the end of the loop turn (setImmediate) cost more than they
  // do: an idle handle and an extra non-blocking epoll_wait per turn, ~2 µs per token against
  // the observer's ~1.5 µs (README "Tap performance", step 6).
  // Arguments are passed through rather than closed over: no closure per token.
  const observe = <A, B>(fn: ((a: A, b: B) => void) | undefined, a: A, b: B) => {
    if (!fn) return;
    try {
      fn(a, b);
    } catch (err) {
      observerFailed(err);
    }
  };

  /** The upstream request head: the client's, minus hop-by-hop headers, plus Host and XFF. */
  function requestHead(ex: ClientExchange): string {
    const req = ex.head;
    const xff = req.headers['x-forwarded-for'];
    const pairs = forwardable(req.rawHeaders, req.headers.connection, REQUEST_OWN);
    let head = `${req.method} ${joinPath(upstream.pathname, req.target)} HTTP/1.1\r\nHost: ${upstream.host}\r\n`;
    for (let i = 0; i < pairs.length; i += 2) head += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
    head += `X-Forwarded-For: ${xff ? `${String(xff)}, ${ex.peer}` : ex.peer}\r\n`;
    if (ex.framing.kind === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
    else if (ex.framing.kind === 'length') head += `Content-Length: ${ex.framing.length}\r\n`;
    else if (req.headers['content-length'] !== undefined) head += 'Content-Length: 0\r\n';
    return `${head}\r\n`;
  }

  function handle(ex: ClientExchange, conn: ClientConnection): ExchangeCallbacks {
    const startedAt = performance.now();
    counters.active++;
    counters.total++;
    const req = ex.head;
    const client = ex.socket;
    let requestBytes = 0;
    let responseBytes = 0;
    let chunks = 0;
    let status: number | undefined;
    let done = false;
    let headSent = false;
    let requestDone = ex.framing.kind === 'none';

    let obs: TapExchangeObserver | undefined;
    try {
      obs =
        opts.observer?.onRequest({
          tap: name,
          method: req.method,
          path: req.target,
          headers: req.headers,
          contentLength:
            ex.framing.kind === 'length'
              ? ex.framing.length
              : req.headers['content-length'] !== undefined
                ? 0
                : undefined,
          startedAt,
          wallTime: Date.now(),
        }) ?? undefined;
    } catch {
      counters.observerErrors++;
    }

    const leased = pool.acquire();
    const up = leased.socket;
    let upstreamFree = false;
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
      // Told before the client can see the end: whoever saw the response end and reads the
      // metrics next must find this exchange counted.
      try {
        if (how === 'end') obs?.onEnd?.(summary());
        else if (how === 'abort') {
          counters.aborted++;
          obs?.onAbort?.(summary());
        } else {
          counters.errors++;
          obs?.onError?.(how, summary());
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
      pool.release(up, reuse && requestDone);
    };
    const fail = (kind: TapErrorKind, err: Error | string, answer?: number) => {
      if (done) return;
      freeUpstream(false);
      const message = typeof err === 'string' ? err : err.message;
      if (answer && !headSent && !client.destroyed) {
        status = answer;
        const body = JSON.stringify({ error: `okome tap ${name}: ${message}` });
        const keep = ex.keepAlive && requestDone;
        client.write(
          `HTTP/1.1 ${answer} ${STATUS_CODES[answer] ?? ''}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nDate: ${httpDate()}\r\n` +
            `${connectionHeader(keep)}\r\n${body}`,
        );
        finish({ kind, message });
        conn.done(keep);
      } else {
        // Mid-stream: cutting the connection is the only honest signal left.
        client.destroy();
        finish({ kind, message });
      }
    };

    // Request: head, then the body bytes as the client sends them (chunk framing included).
    // The head waits (corked) for the body bytes that came in the same read, at most until the
    // end of this loop turn: one write, one segment for the engine to parse.
    let upstreamCorked = !requestDone;
    if (upstreamCorked) up.cork();
    up.write(requestHead(ex), 'latin1');
    if (upstreamCorked) setImmediate(uncorkUpstream);
    const resumeRequest = () => conn.resume();
    up.on('drain', resumeRequest);
    const onRequestChunk = obs?.onRequestChunk?.bind(obs);

    // Response: the head is parsed here; the body goes to the client as it comes.
    let pendingHead: Buffer | undefined;
    let headBytes = 0;
    let head: ResponseHead | undefined;
    let framing: BodyFraming | undefined;
    let clientChunked = false;
    /** Decided with the response head (which announces it); the end of the exchange follows it. */
    let keepClient = false;
    let remaining = 0;
    let decoder: ChunkedDecoder | undefined;
    let writer: ClientWriter | undefined;
    let paused = false;
    let readAt = 0;
    const onChunk = obs?.onChunk?.bind(obs);

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
      observe(onChunk, payload, readAt);
    };
    /** The body's last bytes (this read's) and the end of the response leave in one write. */
    const complete = (extra: boolean) => {
      if (bodyDone) return;
      bodyDone = true;
      const reuse =
        !extra && head !== undefined && framing !== undefined && reusable(head, framing);
      if (client.destroyed) {
        freeUpstream(reuse);
        return;
      }
      client.cork();
      deliver();
      if (clientChunked) client.write(CHUNKED_END, 'latin1');
      freeUpstream(reuse);
      client.uncork();
      finish('end');
      conn.done(keepClient);
    };

    const startResponse = (h: ResponseHead) => {
      head = h;
      status = h.status;
      framing = bodyFraming(h, req.method);
      observe(
        obs?.onResponse?.bind(obs),
        { status: h.status, headers: h.headers, at: performance.now() },
        undefined,
      );
      // A body that ends with the upstream's chunks or close is re-framed here: its length is
      // not the upstream's to announce (a HEAD answer keeps it: it describes the GET body).
      const reframed = framing.kind === 'chunked' || framing.kind === 'close';
      clientChunked = reframed && !req.http10;
      // Without framing the client reads the body up to the close.
      keepClient = ex.keepAlive && (clientChunked || !reframed);
      const pairs = forwardable(
        h.rawHeaders,
        h.headers.connection,
        reframed ? CONTENT_LENGTH : undefined,
      );
      let text = `HTTP/1.1 ${status} ${h.statusMessage || STATUS_CODES[status] || ''}\r\n`;
      for (let i = 0; i < pairs.length; i += 2) text += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
      if (h.headers.date === undefined) text += `Date: ${httpDate()}\r\n`;
      text += connectionHeader(keepClient);
      if (clientChunked) text += 'Transfer-Encoding: chunked\r\n';
      // Sent at once: time to first byte must not wait for the first body chunk.
      client.write(`${text}\r\n`, 'latin1');
      headSent = true;
      writer = new ClientWriter(client, clientChunked, onFull);
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
          if (client.destroyed) return;
          // The head and the body bytes of this read leave in one write.
          client.cork();
          try {
            startResponse(h);
            if (framing?.kind === 'none' || (framing?.kind === 'length' && framing.length === 0))
              complete(all.length > 0);
            else if (all.length) body(all);
          } finally {
            if (client.writableCorked) client.uncork();
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

    return {
      body(wire, payload) {
        const at = performance.now();
        requestBytes += payload.length;
        if (!upstreamFree) {
          const ok = up.write(wire);
          uncorkUpstream();
          if (!ok) conn.pause();
        }
        if (payload.length) observe(onRequestChunk, payload, at);
      },
      bodyEnd() {
        requestDone = true;
        uncorkUpstream();
        observe(obs?.onRequestEnd?.bind(obs), requestBytes, performance.now());
      },
      closed(reason, duringRequest) {
        if (done) return;
        // The client went away: cancel upstream so the engine stops generating for nobody.
        freeUpstream(false);
        if (duringRequest) finish({ kind: 'request', message: reason });
        else finish('abort');
      },
    };
  }

  const connectionOptions = {
    keepAliveTimeoutMs: KEEP_ALIVE_S * 1000,
    headersTimeoutMs: (KEEP_ALIVE_S + 1) * 1000,
  };
  const server: Server = createServer({ noDelay: true }, (s: Socket) => {
    clientSockets.add(s);
    s.on('close', () => clientSockets.delete(s));
    new ClientConnection(s, handle, connectionOptions);
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
        for (const s of clientSockets) s.destroy();
        pool.destroy();
      }),
  };
}
