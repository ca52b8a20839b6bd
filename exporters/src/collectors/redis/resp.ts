// A small RESP2 client on node:net / node:tls: one connection per scrape (like redis_exporter,
// so a scrape proves the instance accepts connections), pipelining for free because replies
// come back in request order.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-ERR ...`) from the server; returned as a value inside arrays. */
export class RespError extends Error {
  override readonly name = 'RespError';
  constructor(message: string) {
    // --check-keys sends PFCOUNT to every string key and gets WRONGTYPE back for most: a stack
    // trace per reply would cost more than the command. Error replies carry no useful stack.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export interface RespConnectOptions {
  host: string;
  port: number;
  /** Unix socket path; host/port are ignored when set. */
  path?: string;
  tls?: ConnectionOptions;
  /** Connect, and then each reply, must arrive within this many ms. */
  timeoutMs?: number;
  user?: string;
  password?: string;
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol('incomplete');

/** Incremental RESP2 parser: feed bytes, take complete replies. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): RespValue[] {
    this.buf =
      this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const out: RespValue[] = [];
    for (;;) {
      const start = this.pos;
      const v = this.parseValue();
      if (v === INCOMPLETE) {
        this.pos = start;
        break;
      }
      out.push(v);
    }
    return out;
  }

  private line(): string | typeof INCOMPLETE {
    const end = this.buf.indexOf('\r\n', this.pos);
    if (end < 0) return INCOMPLETE;
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private parseValue(): RespValue | typeof INCOMPLETE {
    if (this.pos >= this.buf.length) return INCOMPLETE;
    const type = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const l = this.line();
    if (l === INCOMPLETE) return INCOMPLETE;
    switch (type) {
      case '+':
        return l;
      case '-':
        return new RespError(l);
      case ':':
        return Number(l);
      case '$': {
        const n = Number(l);
        if (n < 0) return null;
        if (this.pos + n + 2 > this.buf.length) return INCOMPLETE;
        const s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 2;
        return s;
      }
      case '*': {
        const n = Number(l);
        if (n < 0) return null;
        const arr: RespValue[] = [];
        for (let i = 0; i < n; i++) {
          const v = this.parseValue();
          if (v === INCOMPLETE) return INCOMPLETE;
          arr.push(v);
        }
        return arr;
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(type)}`);
    }
  }
}

export class RespClient {
  private readonly parser = new RespParser();
  private readonly pending: Pending[] = [];
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let replies: RespValue[];
      try {
        replies = this.parser.feed(chunk);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      for (const r of replies) this.pending.shift()?.resolve(r);
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
    socket.on('timeout', () => this.fail(new Error(`no reply within ${timeoutMs} ms`)));
  }

  /** Connects and authenticates; rejects with a clear message naming the address. */
  static async connect(opts: RespConnectOptions): Promise<RespClient> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const where = opts.path ?? `${opts.host}:${opts.port}`;
      // TCP up but no secure connection: say it was the TLS handshake (certificate, CA, name),
      // not the network, so a wrong --tls-ca-cert-file reads as what it is.
      let tcpUp = false;
      const onError = (err: Error): void => {
        clearTimeout(timer);
        s.destroy();
        const stage = opts.tls && tcpUp ? 'tls handshake: ' : '';
        reject(new Error(`dial ${where}: ${stage}${err.message}`));
      };
      const s: Socket = opts.tls
        ? tlsConnect({ host: opts.host, port: opts.port, ...opts.tls }, () => done())
        : opts.path
          ? netConnect({ path: opts.path }, () => done())
          : netConnect({ host: opts.host, port: opts.port }, () => done());
      const timer = setTimeout(
        () => onError(new Error(`timeout after ${timeoutMs} ms`)),
        timeoutMs,
      );
      s.once('error', onError);
      s.once('connect', () => (tcpUp = true));
      function done(): void {
        clearTimeout(timer);
        s.off('error', onError);
        s.setNoDelay(true);
        resolve(s);
      }
    });
    socket.setTimeout(timeoutMs);
    const client = new RespClient(socket, timeoutMs);
    if (opts.password) {
      const args = opts.user ? ['AUTH', opts.user, opts.password] : ['AUTH', opts.password];
      try {
        await client.call(...args);
      } catch (err) {
        client.close();
        throw err;
      }
    }
    return client;
  }

  /** Sends a command; resolves with its reply, error replies included as RespError values. */
  send(...args: (string | number)[]): Promise<RespValue> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Like send, but an error reply rejects. */
  async call(...args: (string | number)[]): Promise<RespValue> {
    const v = await this.send(...args);
    if (v instanceof RespError) throw v;
    return v;
  }

  close(): void {
    this.closedError ??= new Error('connection closed');
    this.socket.destroy();
    this.rejectAll(this.closedError);
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    this.socket.destroy();
    this.rejectAll(err);
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}

/** Reads a reply as a string (bulk or simple), or undefined. */
export function asString(v: RespValue): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function asNumber(v: RespValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}
