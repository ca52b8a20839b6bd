// The exporter's HTTP surface: /metrics (0.0.4 text, or OpenMetrics when asked), /-/healthy,
// /-/ready, the landing page, and routes contributed by collectors (/scrape, /probe).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { HttpRoute } from '../core/collector';
import {
  gzipExposition,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  toOpenMetrics,
  wantsOpenMetrics,
} from '../core/exposition';
import type { Logger } from '../core/logger';
import type { Scraper } from '../core/scrape';
import { renderLanding } from './landing';
import type { LandingInfo } from './landing';
import { basicAuthOk, httpsOptions, watchCertificates, WWW_AUTHENTICATE } from './security';
import type { WebSecurity } from './security';

export interface HttpOptions {
  readonly scraper: Scraper;
  readonly telemetryPath: string;
  readonly routes: readonly HttpRoute[];
  /** Concurrent /metrics requests beyond this get 503 (0 = no limit). */
  readonly maxRequests: number;
  /** Subtracted from X-Prometheus-Scrape-Timeout-Seconds to leave time to answer. */
  readonly timeoutOffsetMs: number;
  readonly isReady: () => boolean;
  readonly landing: () => LandingInfo;
  readonly logger: Logger;
  /** --tls-server-* and --basic-auth-*: guard every endpoint (README "Exporter TLS and auth"). */
  readonly security?: WebSecurity;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Scrape deadline in ms from the header Prometheus sends, or undefined. The offset leaves time
 * to render and send; it is capped at a quarter of the timeout so short scrape timeouts (1s in
 * the simulated stack) still leave collectors most of it.
 */
export function scrapeDeadlineMs(req: IncomingMessage, offsetMs: number): number | undefined {
  const raw = req.headers['x-prometheus-scrape-timeout-seconds'];
  const secs = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!raw || !Number.isFinite(secs) || secs <= 0) return undefined;
  const ms = secs * 1000;
  return Math.max(1, ms - Math.min(offsetMs, ms / 4));
}

export function createHttpHandler(opts: HttpOptions) {
  let inFlight = 0;
  const routes = new Map(opts.routes.map((r) => [r.path, r]));

  async function metrics(req: IncomingMessage, res: ServerResponse) {
    if (opts.maxRequests > 0 && inFlight >= opts.maxRequests) {
      send(res, 503, `too many concurrent scrapes (limit ${opts.maxRequests})\n`);
      return;
    }
    inFlight++;
    try {
      const { text } = await opts.scraper.scrape(scrapeDeadlineMs(req, opts.timeoutOffsetMs));
      const om = wantsOpenMetrics(req.headers.accept);
      const body = om ? toOpenMetrics(text) : text;
      const headers: Record<string, string> = {
        'Content-Type': om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      };
      let payload: Buffer = Buffer.from(body);
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        payload = await gzipExposition(payload);
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = String(payload.length);
      res.writeHead(200, headers);
      res.end(payload);
    } finally {
      inFlight--;
    }
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://exporter');
    } catch {
      send(res, 400, 'bad request URL\n');
      return;
    }
    try {
      const path = url.pathname;
      // Before routing and for every path, /-/healthy included, as redis_exporter does: an
      // unauthenticated caller learns nothing, not even which paths exist.
      const auth = opts.security?.basicAuth;
      if (auth && !(await basicAuthOk(req, auth))) {
        res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
        return send(res, 401, 'Unauthorized\n');
      }
      if (path === opts.telemetryPath) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'use GET\n');
        return await metrics(req, res);
      }
      if (path === '/-/healthy') return send(res, 200, 'OK\n');
      if (path === '/-/ready')
        return opts.isReady() ? send(res, 200, 'OK\n') : send(res, 503, 'starting\n');
      const route = routes.get(path);
      if (route) return await route.handle(req, res, url);
      if (path === '/')
        return send(res, 200, renderLanding(opts.landing()), 'text/html; charset=utf-8');
      send(res, 404, `not found: ${path} (see / for endpoints)\n`);
    } catch (err) {
      opts.logger.error('request failed', { path: url.pathname, err });
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}\n`);
      else res.destroy();
    }
  };
}

export function createHttpServer(opts: HttpOptions): Server {
  const handler = createHttpHandler(opts);
  const listener = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const tls = opts.security?.tls;
  let server: Server;
  if (tls) {
    const https = createHttpsServer(httpsOptions(tls), listener);
    watchCertificates(https, tls, (err) =>
      opts.logger.warn('TLS certificate files changed but cannot be used; keeping the old ones', {
        err,
      }),
    );
    server = https;
  } else server = createServer(listener);
  server.keepAliveTimeout = 65_000; // longer than Prometheus' idle connection reuse
  return server;
}
