// HTTP/1.1 message framing for both sides of the tap (RFC 9112). The tap reads its sockets
// itself instead of through Node's HTTP server and client: one socket read becomes one decoded
// payload, forwarded as one chunk, instead of a stream event per HTTP chunk (per token for a
// streaming engine), and a request costs no IncomingMessage/ServerResponse pair (README "Tap
// performance").
import type { IncomingHttpHeaders } from 'node:http';

/** A response head larger than this is refused (Node's own default limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_SIZE_LINE = 4096;

export class ProtocolError extends Error {}

export interface ResponseHead {
  readonly status: number;
  readonly statusMessage: string;
  /** HTTP/1.0 responses close the connection unless told otherwise. */
  readonly http10: boolean;
  /** Names and values alternating, as sent (Node's `rawHeaders` shape). */
  readonly rawHeaders: string[];
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept as a list). */
  readonly headers: IncomingHttpHeaders;
}

/** How the body of a response ends (RFC 9112 §6.3). */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** Index just past the blank line that ends a head, or -1 while it is incomplete. */
export function headEnd(buf: Buffer): number {
  const at = buf.indexOf('\r\n\r\n', 0, 'latin1');
  return at < 0 ? -1 : at + 4;
}

export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin form: path and query). */
  readonly target: string;
  /** HTTP/1.0 clients cannot take a chunked body and close unless told otherwise. */
  readonly http10: boolean;
  readonly rawHeaders: string[];
  readonly headers: IncomingHttpHeaders;
}

/** How a request body ends (RFC 9112 §6.3: without Content-Length or chunked, there is none). */
export type RequestFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

// RFC 9110 §5.6.2 token characters, for the method.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseRequestHead(head: Buffer): RequestHead {
  const lines = head.toString('latin1').split('\r\n');
  const requestLine = lines[0] ?? '';
  const m = /^(\S+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
  if (!m || !TOKEN.test(m[1] as string))
    throw new ProtocolError(`bad request line ${JSON.stringify(requestLine.slice(0, 80))}`);
  const { rawHeaders, headers } = parseHeaderLines(lines);
  return {
    method: m[1] as string,
    target: m[2] as string,
    http10: m[3] === '0',
    rawHeaders,
    headers,
  };
}

/** Request body framing; refuses what a proxy must not guess at (RFC 9112 §6.1, §6.3). */
export function requestFraming(head: RequestHead): RequestFraming {
  const te = head.headers['transfer-encoding'];
  const cl = head.headers['content-length'];
  if (te !== undefined) {
    // Both at once is how requests are smuggled past a proxy.
    if (cl !== undefined) throw new ProtocolError('both Transfer-Encoding and Content-Length');
    const codings = te.toLowerCase().split(',');
    if (codings[codings.length - 1]?.trim() !== 'chunked')
      throw new ProtocolError(`Transfer-Encoding ${JSON.stringify(te)} does not end in chunked`);
    return { kind: 'chunked' };
  }
  if (cl === undefined) return { kind: 'none' };
  const length = contentLength(cl);
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

/** True when the client keeps the connection open after this exchange. */
export function clientKeepAlive(head: RequestHead): boolean {
  const conn = String(head.headers.connection ?? '').toLowerCase();
  if (conn.includes('close')) return false;
  // An HTTP/1.0 client gets its response body delimited by the close.
  return !head.http10;
}

function contentLength(cl: string): number {
  const values = new Set(cl.split(',').map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !only || !/^\d{1,15}$/.test(only))
    throw new ProtocolError(`bad Content-Length ${JSON.stringify(cl)}`);
  return Number(only);
}

export function parseResponseHead(head: Buffer): ResponseHead {
  const lines = head.toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new ProtocolError(`bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const { rawHeaders, headers } = parseHeaderLines(lines);
  return {
    status: Number(m[2]),
    statusMessage: m[3] ?? '',
    http10: m[1] === '0',
    rawHeaders,
    headers,
  };
}

/** The header lines after the start line: as sent, and by lower-case name. */
function parseHeaderLines(lines: string[]): {
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
} {
  const rawHeaders: string[] = [];
  // No prototype: a header named __proto__ is only a header.
  const headers = Object.create(null) as IncomingHttpHeaders;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    // A name with spaces or other non-token bytes ("Content-Length : 5", obsolete line folding)
    // is read differently by different servers: refused (RFC 9112 §5.1, §5.2).
    if (colon <= 0 || !TOKEN.test(name))
      throw new ProtocolError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const prev = headers[key];
    if (key === 'set-cookie') headers['set-cookie'] = [...(headers['set-cookie'] ?? []), value];
    else headers[key] = prev === undefined ? value : `${String(prev)}, ${value}`;
  }
  return { rawHeaders, headers };
}

export function bodyFraming(head: ResponseHead, requestMethod: string): BodyFraming {
  const { status, headers } = head;
  if (requestMethod === 'HEAD' || status === 204 || status === 304 || status < 200)
    return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',');
    return codings[codings.length - 1]?.trim() === 'chunked'
      ? { kind: 'chunked' }
      : { kind: 'close' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) return { kind: 'length', length: contentLength(cl) };
  return { kind: 'close' };
}

/** True when the upstream may be sent another request on this connection afterwards. */
export function reusable(head: ResponseHead, framing: BodyFraming): boolean {
  if (framing.kind === 'close') return false;
  const conn = String(head.headers.connection ?? '').toLowerCase();
  if (conn.includes('close')) return false;
  return !head.http10 || conn.includes('keep-alive');
}

const enum State {
  Size,
  Ext,
  Data,
  DataCr,
  DataLf,
  Trailer,
  Done,
}

/**
 * Incremental decoder for a chunked body. `push` hands every payload slice (views into the
 * pushed buffer, no copy) to `onPayload`; chunk extensions and trailers are dropped, as a proxy
 * may (RFC 9112 §7.1.1, §7.1.2).
 */
export class ChunkedDecoder {
  private state = State.Size;
  private size = 0;
  private digits = 0;
  private lineBytes = 0;
  private remaining = 0;

  constructor(private readonly onPayload: (slice: Buffer) => void) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Returns the index in `buf` just past the body's end, or -1 while the body continues. */
  push(buf: Buffer): number {
    let i = 0;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          this.onPayload(buf.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = State.DataCr;
          break;
        }
        case State.DataCr: {
          const c = buf[i++];
          if (c === 13) this.state = State.DataLf;
          else if (c === 10) this.startSizeLine();
          else throw new ProtocolError('chunk data not followed by CRLF');
          break;
        }
        case State.DataLf:
          if (buf[i++] !== 10) throw new ProtocolError('chunk data not followed by CRLF');
          this.startSizeLine();
          break;
        case State.Trailer: {
          const c = buf[i++];
          if (c === 10) {
            if (this.lineBytes === 0) {
              this.state = State.Done;
              return i;
            }
            this.lineBytes = 0;
          } else if (c !== 13 && ++this.lineBytes > MAX_HEAD_BYTES) {
            throw new ProtocolError('chunked trailer too long');
          }
          break;
        }
        case State.Done:
          return i;
        default: {
          // State.Size or State.Ext
          const c = buf[i++] as number;
          if (++this.lineBytes > MAX_SIZE_LINE) throw new ProtocolError('chunk size line too long');
          if (c === 10) {
            if (this.digits === 0) throw new ProtocolError('chunk size missing');
            this.lineBytes = 0;
            if (this.size === 0) this.state = State.Trailer;
            else {
              this.state = State.Data;
              this.remaining = this.size;
            }
          } else if (this.state === State.Ext || c === 13 || c === 59 || c === 32 || c === 9) {
            this.state = State.Ext; // `;` starts a chunk extension, which is not interpreted
          } else {
            const v = hexValue(c);
            if (v < 0) throw new ProtocolError('bad chunk size');
            if (++this.digits > 12) throw new ProtocolError('chunk size too large');
            this.size = this.size * 16 + v;
          }
        }
      }
    }
    return this.state === State.Done ? i : -1;
  }

  private startSizeLine(): void {
    this.state = State.Size;
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
