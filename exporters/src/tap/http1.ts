// HTTP/1.1 response framing for the tap's upstream side (RFC 9112). The tap reads the upstream
// socket itself instead of through Node's HTTP client: one socket read becomes one decoded
// payload, forwarded as one chunk, instead of a stream event per HTTP chunk (per token for a
// streaming engine; README "Tap performance").
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

export function parseResponseHead(head: Buffer): ResponseHead {
  const lines = head.toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new ProtocolError(`bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const rawHeaders: string[] = [];
  const headers: IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t')
      throw new ProtocolError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const prev = headers[key];
    if (key === 'set-cookie') headers['set-cookie'] = [...(headers['set-cookie'] ?? []), value];
    else headers[key] = prev === undefined ? value : `${String(prev)}, ${value}`;
  }
  return {
    status: Number(m[2]),
    statusMessage: m[3] ?? '',
    http10: m[1] === '0',
    rawHeaders,
    headers,
  };
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
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !only || !/^\d{1,15}$/.test(only))
      throw new ProtocolError(`bad Content-Length ${JSON.stringify(cl)}`);
    return { kind: 'length', length: Number(only) };
  }
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
