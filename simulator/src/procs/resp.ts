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

export class RespClient {
  private socket?: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs = 500,
  ) {}

  private connect(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.buffer = Buffer.alloc(0);
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = undefined;
      socket.destroy();
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(err);
      }
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new RespError('connection closed')));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const r = parseReply(this.buffer, pos);
      if (!r) break;
      pos = r.end;
      const p = this.pending.shift();
      if (!p) continue;
      clearTimeout(p.timer);
      if (r.value instanceof RespError) p.reject(r.value);
      else p.resolve(r.value);
    }
    this.buffer = this.buffer.subarray(pos);
  }

  command(...args: Array<string | number>): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const socket = this.connect();
      const timer = setTimeout(() => {
        // A reply that never comes: drop the connection, the next command reconnects.
        socket.destroy(
          new RespError(
            `redis ${this.host}:${this.port} did not answer within ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
