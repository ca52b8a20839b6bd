// One fake service's listener on its node's loopback address. `down` closes it (connections
// refused); `partition` keeps it open but holds every request (connections hang); `slow`
// delays each request before it is handled.
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceContext } from '../engines/context';
import { sleep } from '../util/time';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export class ManagedServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly label: string,
    readonly host: string,
    readonly port: number,
    private readonly ctx: ServiceContext,
    private readonly handler: Handler,
  ) {}

  get listening(): boolean {
    return !!this.server?.listening;
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => void this.dispatch(req, res));
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0; // streams of a slow 72B last minutes
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new ListenError(
            err.code === 'EADDRINUSE'
              ? `${this.label}: ${this.host}:${this.port} is already in use (another okome-sim, or another program)`
              : err.code === 'EADDRNOTAVAIL'
                ? `${this.label}: cannot bind ${this.host} (not a local address)`
                : `${this.label}: cannot listen on ${this.host}:${this.port}: ${err.message}`,
          ),
        );
      };
      server.once('error', onError);
      server.listen(this.port, this.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops listening and cuts every open connection (a node that goes down). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      await this.ctx.gate(ac.signal);
      const slow = this.ctx.effects().slowMs;
      if (slow > 0) await sleep(slow, ac.signal);
      await this.handler(req, res);
    } catch {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500).end();
      } else res.destroy();
    }
  }
}
