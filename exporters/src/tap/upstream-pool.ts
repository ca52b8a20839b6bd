// Keep-alive connections to one upstream, for the tap's raw HTTP/1.1 client. An idle connection
// is closed after a few seconds, before the usual server-side idle limits (Node and uvicorn 5 s),
// so a request is not sent on a connection the upstream is closing at that moment.
//
// Reads land in one buffer shared by all connections (net's `onread`): no buffer allocated and
// no stream event per read, which is most of a read's cost when every read is one token. The
// slice handed to `onData` is only valid during the call: copy what must outlive it.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

const READ_BUFFER_BYTES = 64 * 1024;

type DataHandler = (data: Buffer) => void;

export interface PooledSocket {
  readonly socket: Socket;
  /** Receives every read from now on; the view is reused after the call returns. */
  onData(handler: DataHandler): void;
}

interface Conn {
  socket: Socket;
  handler: DataHandler;
  idle: boolean;
}

export class UpstreamPool {
  private readonly idle: Conn[] = [];
  private readonly conns = new Map<Socket, Conn>();
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private busy = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxIdle = 256,
    private readonly idleMs = 4000,
  ) {}

  acquire(): PooledSocket {
    this.busy++;
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      c.idle = false;
      c.socket.setTimeout(0);
      if (!c.socket.destroyed && c.socket.writable) return this.lease(c);
      c.socket.destroy();
    }
    const conn: Conn = {
      socket: undefined as unknown as Socket,
      handler: () => undefined,
      idle: false,
    };
    const buffer = this.readBuffer;
    conn.socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer,
        callback: (n: number) => {
          conn.handler(buffer.subarray(0, n));
          return true; // keep reading; backpressure pauses the socket explicitly
        },
      },
    });
    // The exchange adds its own handlers; this one only keeps a late error from being fatal.
    conn.socket.on('error', () => undefined);
    // Bytes, an end or silence from an idle upstream: the connection is no longer wanted.
    const dropIdle = () => conn.idle && this.drop(conn);
    conn.socket.on('end', dropIdle);
    conn.socket.on('timeout', dropIdle);
    conn.socket.once('close', () => {
      this.conns.delete(conn.socket);
      dropIdle();
    });
    this.conns.set(conn.socket, conn);
    return this.lease(conn);
  }

  /** Gives a socket back after an exchange; a socket that must not be reused is destroyed. */
  release(socket: Socket, reuse: boolean): void {
    this.busy--;
    const conn = this.conns.get(socket);
    if (!conn || !reuse || this.closed || this.idle.length >= this.maxIdle || socket.destroyed) {
      socket.destroy();
      return;
    }
    conn.idle = true;
    conn.handler = () => this.drop(conn);
    socket.setTimeout(this.idleMs);
    this.idle.push(conn);
  }

  /** Connections open: in use plus idle. */
  size(): number {
    return this.busy + this.idle.length;
  }

  destroy(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  private drop(conn: Conn): void {
    conn.idle = false;
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
    conn.socket.destroy();
  }

  private lease(conn: Conn): PooledSocket {
    conn.handler = () => undefined;
    return {
      socket: conn.socket,
      onData: (handler) => {
        conn.handler = handler;
      },
    };
  }
}
