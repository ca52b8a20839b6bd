// The client side of the tap: HTTP/1.1 requests read straight off the socket (RFC 9112), one
// exchange at a time per connection (pipelined requests wait their turn in the read buffer).
// Node's HTTP server costs an IncomingMessage, a ServerResponse and a dozen stream events per
// request, most of a tap's CPU per request: paid by every token of the streams already running
// when many streams start at once (README "Tap performance").
import type { Socket } from 'node:net';
import {
  ChunkedDecoder,
  clientKeepAlive,
  headEnd,
  MAX_HEAD_BYTES,
  parseRequestHead,
  ProtocolError,
  requestFraming,
} from './http1';
import type { RequestFraming, RequestHead } from './http1';

export interface ClientExchange {
  readonly head: RequestHead;
  readonly framing: RequestFraming;
  readonly socket: Socket;
  /** The client's address, for X-Forwarded-For. */
  readonly peer: string;
  /** The client may send another request on this connection after this one. */
  readonly keepAlive: boolean;
}

export interface ExchangeCallbacks {
  /**
   * Request body bytes as they came (chunk framing included, to forward as they are) and the
   * payload they carry. Both are only this read's: views of a buffer that is not reused.
   */
  body(wire: Buffer, payload: Buffer): void;
  bodyEnd(): void;
  /** The client went away, or broke the request body, before the exchange was done. */
  closed(reason: string, duringRequest: boolean): void;
}

/** Called with each request head; the body follows through the returned callbacks. */
export type ExchangeHandler = (ex: ClientExchange, conn: ClientConnection) => ExchangeCallbacks;

export interface ClientConnectionOptions {
  /** Idle time between requests before the connection is closed. */
  readonly keepAliveTimeoutMs: number;
  /** Time from the first byte of a request head to its end (slow-header clients). */
  readonly headersTimeoutMs: number;
}

/** Bytes a client may send ahead (pipelined requests) before reading pauses for the exchange. */
const MAX_AHEAD_BYTES = 2 * MAX_HEAD_BYTES;

interface Current {
  readonly ex: ClientExchange;
  cb: ExchangeCallbacks;
  remaining: number;
  decoder: ChunkedDecoder | undefined;
  bodyDone: boolean;
}

export class ClientConnection {
  /** Bytes read and not yet handled: a partial head, or requests sent ahead. */
  private buffered: Buffer | undefined;
  private current: Current | undefined;
  private headStartedAt: number | undefined;
  private payloadParts: Buffer[] = [];
  private gone = false;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ExchangeHandler,
    private readonly opts: ClientConnectionOptions,
  ) {
    socket.on('data', (buf: Buffer) => this.read(buf));
    // A reset or write error: 'close' follows, and tells the exchange.
    socket.on('error', () => undefined);
    socket.on('close', () => this.lost('client closed the connection'));
    socket.on('timeout', () => {
      if (!this.current) socket.destroy();
    });
    socket.setTimeout(opts.keepAliveTimeoutMs);
  }

  /** Backpressure from the upstream: stop reading the request body for now. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.gone) this.socket.resume();
  }

  /**
   * The response is complete: read the next request, or close. A request whose body was not
   * read to its end (the upstream answered early) ends the connection: its rest would be read
   * as the next request.
   */
  done(keepAlive: boolean): void {
    const cur = this.current;
    if (!cur) return;
    this.current = undefined;
    if (this.gone) return;
    if (!keepAlive || !cur.bodyDone) {
      this.gone = true;
      this.buffered = undefined;
      this.socket.end();
      return;
    }
    this.socket.setTimeout(this.opts.keepAliveTimeoutMs);
    this.resume(); // reading may have paused for requests sent ahead
    this.next();
  }

  private read(buf: Buffer): void {
    if (this.gone) return;
    const cur = this.current;
    if (cur && !cur.bodyDone) {
      const used = this.feedBody(cur, buf);
      if (used === buf.length) return;
      buf = buf.subarray(used);
    }
    this.buffered = this.buffered ? Buffer.concat([this.buffered, buf]) : buf;
    if (!this.current) this.next();
    else if (this.buffered.length > MAX_AHEAD_BYTES) this.socket.pause(); // resumed by done()
  }

  /** Starts the exchanges of the complete request heads in the buffer, one at a time. */
  private next(): void {
    while (!this.current && this.buffered && !this.gone) {
      let buf = this.buffered;
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      let skip = 0;
      while (skip < buf.length && (buf[skip] === 13 || buf[skip] === 10)) skip++;
      buf = buf.subarray(skip);
      if (buf.length === 0) {
        this.buffered = undefined;
        return;
      }
      this.headStartedAt ??= performance.now();
      const end = headEnd(buf);
      if (end < 0) {
        this.buffered = buf;
        if (buf.length > MAX_HEAD_BYTES) this.refuse(431, 'Request Header Fields Too Large');
        else if (performance.now() - this.headStartedAt > this.opts.headersTimeoutMs)
          this.refuse(408, 'Request Timeout');
        return;
      }
      let head: RequestHead;
      let framing: RequestFraming;
      try {
        head = parseRequestHead(buf.subarray(0, end - 4));
        framing = requestFraming(head);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        this.refuse(400, 'Bad Request');
        return;
      }
      // A tunnel is not an exchange the tap can observe or relay as HTTP.
      if (head.method === 'CONNECT') {
        this.refuse(405, 'Method Not Allowed');
        return;
      }
      let rest: Buffer | undefined = buf.subarray(end);
      this.buffered = undefined;
      this.headStartedAt = undefined;
      this.socket.setTimeout(0); // a generation may take minutes; the upstream side times out
      if (framing.kind !== 'none' && /100-continue/i.test(String(head.headers.expect ?? '')))
        this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
      const ex: ClientExchange = {
        head,
        framing,
        socket: this.socket,
        peer: this.socket.remoteAddress ?? '',
        keepAlive: clientKeepAlive(head),
      };
      const cur: Current = {
        ex,
        cb: undefined as unknown as ExchangeCallbacks,
        remaining: framing.kind === 'length' ? framing.length : 0,
        decoder:
          framing.kind === 'chunked'
            ? new ChunkedDecoder((slice) => this.payloadParts.push(slice))
            : undefined,
        bodyDone: framing.kind === 'none',
      };
      this.current = cur;
      cur.cb = this.handler(ex, this);
      if (this.current !== cur) continue; // answered already (e.g. the upstream is down)
      if (cur.bodyDone) cur.cb.bodyEnd();
      else if (rest.length) rest = rest.subarray(this.feedBody(cur, rest));
      if (rest.length) this.buffered = this.buffered ? Buffer.concat([rest, this.buffered]) : rest;
    }
  }

  /** Hands the body bytes of the current request over; returns how many of `buf` were its. */
  private feedBody(cur: Current, buf: Buffer): number {
    let used: number;
    let payload: Buffer;
    let end = false;
    if (cur.decoder) {
      let at: number;
      try {
        at = cur.decoder.push(buf);
      } catch (err) {
        this.payloadParts = [];
        this.broken(`bad chunked request body: ${(err as Error).message}`);
        return buf.length;
      }
      end = at >= 0;
      used = end ? at : buf.length;
      const parts = this.payloadParts;
      this.payloadParts = [];
      payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    } else {
      used = Math.min(cur.remaining, buf.length);
      cur.remaining -= used;
      end = cur.remaining === 0;
      payload = buf.subarray(0, used);
    }
    const wire = used === buf.length ? buf : buf.subarray(0, used);
    if (used > 0) cur.cb.body(wire, payload);
    if (end && this.current === cur && !cur.bodyDone) {
      cur.bodyDone = true;
      cur.cb.bodyEnd();
    }
    return used;
  }

  /** A request this side cannot read: answered with `status`, then the connection closes. */
  private refuse(status: number, text: string): void {
    this.buffered = undefined;
    this.gone = true;
    this.socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      'latin1',
    );
  }

  /** The request body broke mid-exchange: nothing honest can follow on this connection. */
  private broken(reason: string): void {
    const cur = this.current;
    this.current = undefined;
    this.gone = true;
    this.buffered = undefined;
    cur?.cb.closed(reason, true);
    this.socket.destroy();
  }

  private lost(reason: string): void {
    this.gone = true;
    this.buffered = undefined;
    const cur = this.current;
    this.current = undefined;
    cur?.cb.closed(reason, !cur.bodyDone);
  }
}
