// Streams one request to a loopback upstream and its answer back. Failures become a Grafana-like
// 502/504 JSON naming the upstream, never a crash.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from './options';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // The browser's own credentials never reach an upstream; Grafana strips them too.
  'cookie',
  'authorization',
]);

export const UPSTREAM_TIMEOUT_MS = 30_000;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  upstreamName: string,
  extraHeaders: Record<string, string> = {},
): void {
  const url = new URL(target);
  if (!isLoopbackHost(url.hostname)) {
    sendJson(res, 502, {
      message: `${upstreamName} is not on loopback (${url.hostname}); the preview forwards to 127.0.0.0/8 only`,
    });
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  }
  Object.assign(headers, extraHeaders);
  const lib = url.protocol === 'https:' ? https : http;
  const upstream = lib.request(
    url,
    { method: req.method, headers, timeout: UPSTREAM_TIMEOUT_MS },
    (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) {
        if (v !== undefined && !HOP_BY_HOP.has(k) && k !== 'set-cookie' && k !== 'www-authenticate')
          out[k] = v;
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
    },
  );
  upstream.on('timeout', () => {
    upstream.destroy();
    if (!res.headersSent)
      sendJson(res, 504, {
        message: `${upstreamName} did not answer within ${UPSTREAM_TIMEOUT_MS / 1000}s`,
      });
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, 502, {
      message: 'Bad Gateway',
      error: `${upstreamName} at ${url.origin} is unreachable: ${err.code ?? err.message}`,
    });
  });
  req.on('aborted', () => upstream.destroy());
  req.pipe(upstream);
}
