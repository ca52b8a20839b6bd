// A small RESP2 client for the stream service's cache: one connection, pipelined commands,
// a timeout per command so a stopped or hung Redis reads as a cache error, never a hang.
import net from 'node:net';

export type RespValue = string | number | null | RespValue[];

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Parses one reply at `pos`; returns undefined when the buffer holds only part of it. */
export function parseReply(
  buf: Buffer,
  pos = 0,
): { value: RespValue | RespError; end: number } | undefined {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return undefined;
  const type = String.fromCharCode(buf[pos] as number);
  const line = buf.toString('utf8', pos + 1, nl);
  switch (type) {
    case '+':
      return { value: line, end: nl + 2 };
    case '-':
      return { value: new RespError(line), end: nl + 2 };
    case ':':
      return { value: Number(line), end: nl + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: nl + 2 };
      if (buf.length < nl + 2 + len + 2) return undefined;
      return { value: buf.toString('utf8', nl + 2, nl + 2 + len), end: nl + 2 + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, end: nl + 2 };
      const items: RespValue[] = [];
      let at = nl + 2;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, at);
        if (!r) return undefined;
        if (r.value instanceof RespError) return { value: r.value, end: r.end };
        items.push(r.value);
        at = r.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new RespError(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: Array<string | number>): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

interface Connection {
  socket: net.Socket;
  buffer: Buffer;
  pending: Pending[];
}

export class RespClient {
  private conn?: Connection;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs = 500,
  ) {}

  private connect(): Connection {
    if (this.conn && !this.conn.socket.destroyed) return this.conn;
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    // Replies are matched to commands per connection, so a dropped connection only fails
    // the commands that were sent on it.
    const conn: Connection = { socket, buffer: Buffer.alloc(0), pending: [] };
    socket.on('data', (chunk) => this.onData(conn, chunk));
    const fail = (err: Error) => {
      if (this.conn === conn) this.conn = undefined;
      socket.destroy();
      for (const p of conn.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(err);
      }
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new RespError('connection closed')));
    this.conn = conn;
    return conn;
  }

  private onData(conn: Connection, chunk: Buffer): void {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const r = parseReply(conn.buffer, pos);
      if (!r) break;
      pos = r.end;
      const p = conn.pending.shift();
      if (!p) continue;
      clearTimeout(p.timer);
      if (r.value instanceof RespError) p.reject(r.value);
      else p.resolve(r.value);
    }
    conn.buffer = conn.buffer.subarray(pos);
  }

  command(...args: Array<string | number>): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const conn = this.connect();
      const entry: Pending = { resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
      entry.timer = setTimeout(() => {
        // A reply that never comes: fail this command and drop the connection (the next
        // command reconnects); replies still owed on it could no longer be matched.
        const i = conn.pending.indexOf(entry);
        if (i >= 0) conn.pending.splice(i, 1);
        reject(
          new RespError(
            `redis ${this.host}:${this.port} did not answer within ${this.timeoutMs} ms`,
          ),
        );
        conn.socket.destroy();
      }, this.timeoutMs);
      conn.pending.push(entry);
      conn.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.conn?.socket.destroy();
    this.conn = undefined;
  }
}
