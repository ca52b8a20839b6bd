// The preview server: Grafana's URLs the plugin uses, served on loopback. Proxying happens here,
// not in the browser, so the plugin code uses exactly Grafana's URLs and the token stays here.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalize } from 'node:path';
import pluginJson from '../../src/plugin.json';
import { AssetResolver } from './assets';
import { indexHtml } from './html';
import type { PreviewRole, ThemeName } from './html';
import type { PreviewOptions } from './options';
import { forward, sendJson } from './proxy';
import { resolveRoute, RouteError } from './routes';
import type { PluginRoute } from './routes';
import { loadProvisionedSettings, SettingsError, SettingsStore } from './settings';

export const PLUGIN_ID = pluginJson.id;
const MAX_BODY = 64 * 1024;

export interface PreviewServer {
  server: http.Server;
  settings: SettingsStore;
  url: () => string;
  close: () => Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SettingsError(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function themeOf(req: IncomingMessage, url: URL): ThemeName {
  const q = url.searchParams.get('theme');
  if (q === 'light' || q === 'dark') return q;
  const cookie = /(?:^|;\s*)okome_preview_theme=(light|dark)/.exec(req.headers.cookie ?? '');
  return (cookie?.[1] as ThemeName | undefined) ?? 'dark';
}

/** ?role= (remembered in a cookie like the theme) switches the preview user's role; default Admin. */
function roleOf(req: IncomingMessage, url: URL): PreviewRole {
  const q = url.searchParams.get('role');
  if (q === 'Viewer' || q === 'Editor' || q === 'Admin') return q;
  const cookie = /(?:^|;\s*)okome_preview_role=(Viewer|Editor|Admin)/.exec(
    req.headers.cookie ?? '',
  );
  return (cookie?.[1] as PreviewRole | undefined) ?? 'Admin';
}

export function createPreviewServer(opts: PreviewOptions, pluginRoot: string): PreviewServer {
  const initial = opts.settingsFile ? loadProvisionedSettings(opts.settingsFile, PLUGIN_ID) : {};
  const settings = new SettingsStore(PLUGIN_ID, pluginJson.name, {
    ...initial,
    jsonData: {
      prometheusUid: opts.prometheusUid,
      ...initial.jsonData,
      ...(opts.controllerUrl ? { controllerUrl: opts.controllerUrl } : {}),
    },
    secureJsonData: {
      ...initial.secureJsonData,
      ...(opts.controllerToken ? { controllerToken: opts.controllerToken } : {}),
    },
  });
  const assets = new AssetResolver(pluginRoot, opts.publicDir);
  const routes = pluginJson.routes as PluginRoute[];
  const dsPrefix = `/api/datasources/proxy/uid/`;
  const pluginProxyPrefix = `/api/plugin-proxy/${PLUGIN_ID}/`;
  const settingsPath = `/api/plugins/${PLUGIN_ID}/settings`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://preview.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/api/health') {
      sendJson(res, 200, {
        database: 'ok',
        version: '12.4.10',
        commit: 'okome-preview',
        preview: true,
      });
      return;
    }
    if (path === '/api/datasources' && method === 'GET') {
      sendJson(
        res,
        200,
        opts.prometheusUrl
          ? [
              {
                id: 1,
                uid: opts.prometheusUid,
                orgId: 1,
                name: opts.prometheusName,
                type: 'prometheus',
                typeName: 'Prometheus',
                access: 'proxy',
                isDefault: true,
                readOnly: true,
              },
            ]
          : [],
      );
      return;
    }
    if (path.startsWith(dsPrefix)) {
      const rest = path.slice(dsPrefix.length);
      const slash = rest.indexOf('/');
      const uid = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
      const sub = slash < 0 ? '' : rest.slice(slash);
      if (uid !== opts.prometheusUid || !opts.prometheusUrl) {
        sendJson(res, 404, { message: `Data source with uid ${uid} not found` });
        return;
      }
      if (!sub.startsWith('/api/v1/')) {
        sendJson(res, 403, {
          message: `the preview forwards only the Prometheus HTTP API (/api/v1/*), not ${sub || '/'}`,
        });
        return;
      }
      forward(req, res, `${opts.prometheusUrl}${sub}${url.search}`, 'Prometheus');
      return;
    }
    if (path.startsWith(pluginProxyPrefix)) {
      try {
        const r = resolveRoute(
          routes,
          path.slice(pluginProxyPrefix.length),
          method,
          roleOf(req, url),
          settings.jsonData(),
          settings.secrets(),
        );
        forward(req, res, `${r.target}${url.search}`, 'okome-controller', r.headers);
      } catch (err) {
        if (err instanceof RouteError) sendJson(res, err.status, { message: err.message });
        else throw err;
      }
      return;
    }
    if (path === settingsPath) {
      if (method === 'GET') {
        sendJson(res, 200, settings.publicView());
        return;
      }
      if (method === 'POST') {
        try {
          const text = await readBody(req);
          let body: unknown;
          try {
            body = JSON.parse(text || '{}');
          } catch {
            throw new SettingsError('body: not JSON');
          }
          settings.update(body);
          sendJson(res, 200, { message: 'Plugin settings updated' });
        } catch (err) {
          if (err instanceof SettingsError) sendJson(res, 400, { message: err.message });
          else throw err;
        }
        return;
      }
      sendJson(res, 405, { message: `${method} not allowed on ${path}` });
      return;
    }
    if (path.startsWith('/api/')) {
      sendJson(res, 404, { message: `the preview shell does not serve ${path}` });
      return;
    }
    if (path.startsWith('/public/')) {
      const rest = normalize(decodeURIComponent(path.slice('/public/'.length)));
      const file = rest.startsWith('..') ? undefined : assets.resolve(rest);
      if (!file) {
        sendJson(res, 404, { message: `not found: ${path}` });
        return;
      }
      if (file.body !== undefined) {
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
        res.end(file.body);
        return;
      }
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      createReadStream(file.path as string)
        .on('error', () => res.destroy())
        .pipe(res);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { message: `${method} not allowed on ${path}` });
      return;
    }
    // Every other path is a page of the single-page shell (Grafana's routes).
    const theme = themeOf(req, url);
    const role = roleOf(req, url);
    const html = indexHtml(
      theme,
      `http://${req.headers.host ?? `${opts.host}:${opts.port}`}/`,
      role,
    );
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'set-cookie': [
        `okome_preview_theme=${theme}; Path=/; SameSite=Strict`,
        `okome_preview_role=${role}; Path=/; SameSite=Strict`,
      ],
    });
    res.end(method === 'HEAD' ? undefined : html);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { message: `preview server error: ${err.message}` });
      else res.destroy();
    });
  });
  return {
    server,
    settings,
    url: () => {
      const a = server.address();
      return typeof a === 'object' && a ? `http://${a.address}:${a.port}` : '';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
