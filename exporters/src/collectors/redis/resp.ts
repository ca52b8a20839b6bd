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
  /** batch(): the replies collected so far, resolved as one array when all have come. */
  acc?: RespValue[];
  size?: number;
}

/**
 * RESP commands (arrays of bulk strings) written straight into one growing Buffer: a pipeline of
 * thousands of --check-keys commands is one allocation and one socket write instead of
 * thousands of short-lived strings (the encoding was the largest allocator of such a scrape).
 */
export class CommandBuffer {
  private buf: Buffer | undefined;
  private len = 0;

  get length(): number {
    return this.len;
  }

  private room(n: number): Buffer {
    const need = this.len + n;
    if (!this.buf) this.buf = Buffer.allocUnsafe(Math.max(4096, need));
    else if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    return this.buf;
  }

  /** `<type><n>\r\n` without building a string for it. */
  private header(type: number, n: number): void {
    const b = this.room(24);
    b[this.len++] = type;
    if (n === 0) b[this.len++] = 48;
    else {
      let digits = 1;
      for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
      const end = (this.len += digits);
      for (let i = end - 1; n > 0; i--, n = Math.floor(n / 10)) b[i] = 48 + (n % 10);
    }
    b[this.len++] = 13;
    b[this.len++] = 10;
  }

  add(args: readonly (string | number)[]): void {
    this.header(42 /* * */, args.length);
    for (const a of args) {
      const v = typeof a === 'string' ? a : String(a);
      const n = Buffer.byteLength(v);
      this.header(36 /* $ */, n);
      const b = this.room(n + 2);
      this.len += b.write(v, this.len, 'utf8');
      b[this.len++] = 13;
      b[this.len++] = 10;
    }
  }

  /** The bytes written so far; the buffer starts empty again (the returned bytes stay valid). */
  take(): Buffer {
    const out = this.buf ? this.buf.subarray(0, this.len) : Buffer.alloc(0);
    this.buf = undefined;
    this.len = 0;
    return out;
  }
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const w = new CommandBuffer();
  w.add(args);
  return w.take();
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

  /** End (index of `\r`) of the line starting at `from`, or -1 while it has not fully arrived. */
  private lineEnd(from: number): number {
    const end = this.buf.indexOf(13, from);
    return end < 0 || end + 1 >= this.buf.length ? -1 : end;
  }

  /**
   * The `<integer>\r\n` header at this.pos (after the type byte), read digit by digit: most
   * replies are bulk strings and arrays whose header is a few digits, so no line search and no
   * string. Leaves this.pos after the `\n`; undefined while the line has not fully arrived.
   */
  private header(): number | undefined {
    const b = this.buf;
    let i = this.pos;
    const neg = b[i] === 45; /* - */
    if (neg) i++;
    let n = 0;
    for (; i < b.length; i++) {
      const c = b[i]!;
      if (c === 13 /* \r */) {
        if (i + 1 >= b.length) return undefined;
        this.pos = i + 2;
        return neg ? -n : n;
      }
      const d = c - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    // Not plain digits (or not complete yet): read the line as text.
    const end = this.lineEnd(this.pos);
    if (end < 0) return undefined;
    const v = Number(b.toString('latin1', this.pos, end));
    this.pos = end + 2;
    return v;
  }

  private parseValue(): RespValue | typeof INCOMPLETE {
    const b = this.buf;
    if (this.pos >= b.length) return INCOMPLETE;
    const type = b[this.pos++]!;
    switch (type) {
      case 43 /* + */:
      case 45 /* - */: {
        const start = this.pos;
        const end = this.lineEnd(start);
        if (end < 0) return INCOMPLETE;
        this.pos = end + 2;
        const text = b.toString('utf8', start, end);
        return type === 43 ? text : new RespError(text);
      }
      case 58 /* : */:
        return this.header() ?? INCOMPLETE;
      case 36 /* $ */: {
        const n = this.header();
        if (n === undefined) return INCOMPLETE;
        if (n < 0) return null;
        if (this.pos + n + 2 > b.length) return INCOMPLETE;
        const v = b.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 2;
        return v;
      }
      case 42 /* * */: {
        const n = this.header();
        if (n === undefined) return INCOMPLETE;
        if (n < 0) return null;
        const arr: RespValue[] = new Array<RespValue>(n);
        for (let i = 0; i < n; i++) {
          const v = this.parseValue();
          if (v === INCOMPLETE) return INCOMPLETE;
          arr[i] = v;
        }
        return arr;
      }
      default:
        throw new Error(
          `RESP protocol error: unexpected type byte ${JSON.stringify(String.fromCharCode(type))}`,
        );
    }
  }
}

export class RespClient {
  private readonly parser = new RespParser();
  // A FIFO as array + head index: shift() on thousands of pipelined commands is quadratic.
  private pending: Pending[] = [];
  private head = 0;
  private closedError: Error | undefined;
  /** Commands of this tick not yet written: one socket write per tick for a whole pipeline. */
  private readonly outbox = new CommandBuffer();

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
      for (const r of replies) {
        const p = this.pending[this.head];
        if (!p) break;
        if (p.acc) {
          p.acc.push(r);
          if (p.acc.length < p.size!) continue;
        }
        this.pending[this.head++] = undefined as unknown as Pending;
        p.resolve(p.acc ?? r);
      }
      if (this.head === this.pending.length) {
        this.pending = [];
        this.head = 0;
      }
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
      // A pipeline of thousands of commands (--check-keys) leaves in one write, not one
      // write request per command: queue now, flush once this tick's sends are done.
      if (this.outbox.length === 0) process.nextTick(() => this.flush());
      this.outbox.add(args);
    });
  }

  /**
   * Like send, but written now (with any commands of this tick not yet written) instead of at the
   * end of the tick: Redis starts on it while the caller goes on with synchronous work.
   */
  sendNow(...args: (string | number)[]): Promise<RespValue> {
    const reply = this.send(...args);
    this.flush();
    return reply;
  }

  /**
   * Sends many commands in one pipeline and resolves once with all replies, in order (error
   * replies as RespError values). One promise for the batch instead of one per command keeps a
   * --check-keys scrape of thousands of keys light on the heap.
   */
  batch(commands: readonly (readonly (string | number)[])[]): Promise<RespValue[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({
        resolve: resolve as (v: RespValue) => void,
        reject,
        acc: [],
        size: commands.length,
      });
      if (this.outbox.length === 0) process.nextTick(() => this.flush());
      for (const c of commands) this.outbox.add(c);
    });
  }

  /** Like send, but an error reply rejects. */
  async call(...args: (string | number)[]): Promise<RespValue> {
    const v = await this.send(...args);
    if (v instanceof RespError) throw v;
    return v;
  }

  private flush(): void {
    const data = this.outbox.take();
    if (!this.closedError && data.length) this.socket.write(data);
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
    const waiting = this.pending.slice(this.head);
    this.pending = [];
    this.head = 0;
    for (const p of waiting) p.reject(err);
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
