// Keep-alive connections to one upstream, for the tap's raw HTTP/1.1 client. An idle connection
// is closed after a few seconds, before the usual server-side idle limits (Node and uvicorn 5 s),
// so a request is not sent on a connection the upstream is closing at that moment.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface PooledSocket {
  readonly socket: Socket;
  /** Taken from the idle list (it may have been closed by the upstream meanwhile). */
  readonly reused: boolean;
}

export class UpstreamPool {
  private readonly idle: Socket[] = [];
  private readonly detach = new Map<Socket, () => void>();
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
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      this.detach.get(s)?.();
      this.detach.delete(s);
      if (!s.destroyed && s.writable) return { socket: s, reused: true };
      s.destroy();
    }
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    // The exchange adds its own handlers; this one only keeps a late error from being fatal.
    socket.on('error', () => undefined);
    return { socket, reused: false };
  }

  /** Gives a socket back after an exchange; a socket that must not be reused is destroyed. */
  release(socket: Socket, reuse: boolean): void {
    this.busy--;
    if (!reuse || this.closed || this.idle.length >= this.maxIdle || socket.destroyed) {
      socket.destroy();
      return;
    }
    const drop = () => {
      const at = this.idle.indexOf(socket);
      if (at >= 0) this.idle.splice(at, 1);
      this.detach.get(socket)?.();
      this.detach.delete(socket);
      socket.destroy();
    };
    // Bytes or an end from an idle upstream mean the connection is no longer usable.
    socket.on('data', drop);
    socket.on('end', drop);
    socket.on('timeout', drop);
    socket.on('close', drop);
    socket.setTimeout(this.idleMs);
    this.detach.set(socket, () => {
      socket.off('data', drop);
      socket.off('end', drop);
      socket.off('timeout', drop);
      socket.off('close', drop);
      socket.setTimeout(0);
    });
    this.idle.push(socket);
  }

  /** Connections open: in use plus idle. */
  size(): number {
    return this.busy + this.idle.length;
  }

  destroy(): void {
    this.closed = true;
    for (const s of this.idle.splice(0)) s.destroy();
  }
}
