// One exporter process: collectors started, scraped on demand, served over HTTP. Ready once
// every collector's start() has resolved (tap listeners open) and the port is bound.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../http/server';
import type { WebSecurity } from '../http/security';
import type { Collector, ExpositionSource, HttpRoute } from './collector';
import { formatHostPort } from './address';
import type { ListenAddress } from './address';
import type { Logger } from './logger';
import { Scraper } from './scrape';

export interface CatalogEntry {
  readonly name: string;
  readonly help: string;
  readonly enabled: boolean;
  readonly reason: string;
}

export interface ExporterOptions {
  readonly collectors: readonly Collector[];
  /** Every known collector with why it is on or off (landing page). */
  readonly catalog?: readonly CatalogEntry[];
  readonly sources?: readonly ExpositionSource[];
  readonly routes?: readonly HttpRoute[];
  readonly listen: ListenAddress;
  readonly telemetryPath?: string;
  readonly maxRequests?: number;
  readonly timeoutOffsetMs?: number;
  readonly collectorTimeoutMs?: number;
  readonly logger: Logger;
  readonly node?: string;
  readonly version?: string;
  readonly processMetrics?: boolean;
  /** The exporter's own TLS and basic auth (--tls-server-*, --basic-auth-*). */
  readonly security?: WebSecurity;
}

export class Exporter {
  readonly scraper: Scraper;
  private readonly server: Server;
  private ready = false;
  private started: Collector[] = [];

  constructor(private readonly opts: ExporterOptions) {
    this.scraper = new Scraper({
      collectors: opts.collectors,
      sources: opts.sources,
      collectorTimeoutMs: opts.collectorTimeoutMs ?? 9_000,
      logger: opts.logger,
      processMetrics: opts.processMetrics,
      version: opts.version,
    });
    const routes = [...opts.collectors.flatMap((c) => c.routes ?? []), ...(opts.routes ?? [])];
    const telemetryPath = opts.telemetryPath ?? '/metrics';
    this.server = createHttpServer({
      scraper: this.scraper,
      telemetryPath,
      routes,
      maxRequests: opts.maxRequests ?? 40,
      timeoutOffsetMs: opts.timeoutOffsetMs ?? 500,
      isReady: () => this.ready,
      logger: opts.logger,
      ...(opts.security ? { security: opts.security } : {}),
      landing: () => ({
        title: 'okome-exporter',
        version: opts.version ?? '0.0.0',
        node: opts.node,
        telemetryPath,
        routes: routes.map((r) => ({ path: r.path, help: r.help })),
        statuses: this.scraper.statuses(),
        collectors: (
          opts.catalog ??
          opts.collectors.map((c) => ({ name: c.name, help: '', enabled: true, reason: '' }))
        ).map((e) => ({
          ...e,
          details: opts.collectors.find((c) => c.name === e.name)?.describe?.() ?? [],
        })),
      }),
    });
  }

  /** Binds the port, then starts collectors; resolves with the bound address. */
  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    try {
      for (const c of this.opts.collectors) {
        await c.start?.();
        this.started.push(c);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.ready = true;
    const addr = this.address();
    this.opts.logger.info('listening', {
      address: formatHostPort(addr.address, addr.port),
      collectors: this.opts.collectors.map((c) => c.name).join(','),
    });
    return addr;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Base URL for loopback use, e.g. in tests. */
  url(): string {
    const a = this.address();
    const host = a.address === '::' || a.address === '0.0.0.0' ? '127.0.0.1' : a.address;
    return `${this.opts.security?.tls ? 'https' : 'http'}://${formatHostPort(host, a.port)}`;
  }

  async stop(): Promise<void> {
    this.ready = false;
    for (const c of this.started.reverse()) {
      try {
        await c.stop?.();
      } catch (err) {
        this.opts.logger.warn('collector stop failed', { collector: c.name, err });
      }
    }
    this.started = [];
    this.scraper.close();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
