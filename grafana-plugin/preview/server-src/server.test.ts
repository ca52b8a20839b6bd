/**
 * @jest-environment node
 */
// The preview server over real HTTP on loopback: Grafana's proxy URLs, the plugin routes with the
// token added server-side, settings that never give the secret back, and clear errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from './options';
import { createPreviewServer } from './server';
import type { PreviewServer } from './server';
import { loadProvisionedSettings, SettingsError, SettingsStore } from './settings';

const pluginRoot = join(__dirname, '..', '..');
const TOKEN = 'preview-test-token-0123456789';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback upstream that answers JSON and records what reached it. */
function upstream(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' });
    res.end(JSON.stringify({ status: 'success', path: req.url }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

async function start(args: string[]): Promise<PreviewServer> {
  const opts = parseArgs(['--listen', '127.0.0.1:0', ...args], join(__dirname, 'public'));
  if (opts === 'help') throw new Error('unexpected help');
  const p = createPreviewServer(opts, pluginRoot);
  await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
  return p;
}

describe('preview server', () => {
  let up: Awaited<ReturnType<typeof upstream>>;
  let preview: PreviewServer;
  const dir = mkdtempSync(join(tmpdir(), 'okome-preview-'));
  const tokenFile = join(dir, 'token');

  beforeAll(async () => {
    writeFileSync(tokenFile, `${TOKEN}\n`);
    up = await upstream();
    preview = await start([
      '--prometheus',
      up.url,
      '--controller',
      up.url,
      '--controller-token-file',
      tokenFile,
    ]);
  });
  afterAll(async () => {
    await preview.close();
    await up.close();
  });

  it('answers /api/health with JSON', async () => {
    const res = await fetch(`${preview.url()}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: 'ok', preview: true });
  });

  it('adds the bearer token on the plugin route and drops the browser cookie', async () => {
    const res = await fetch(
      `${preview.url()}/api/plugin-proxy/okome-slo-app/controller/api/v1/topology?x=1`,
      {
        headers: { cookie: 'grafana_session=abc', authorization: 'Bearer from-browser' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    const hit = up.seen.at(-1);
    expect(hit?.url).toBe('/api/v1/topology?x=1');
    expect(hit?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hit?.headers.cookie).toBeUndefined();
    expect(await res.text()).not.toContain(TOKEN);
  });

  it('forwards only the Prometheus HTTP API of the known datasource', async () => {
    const ok = await fetch(
      `${preview.url()}/api/datasources/proxy/uid/okome-prometheus/api/v1/query?query=up`,
    );
    expect(ok.status).toBe(200);
    expect(up.seen.at(-1)?.url).toBe('/api/v1/query?query=up');
    expect(up.seen.at(-1)?.headers.authorization).toBeUndefined();
    const other = await fetch(`${preview.url()}/api/datasources/proxy/uid/okome-prometheus/-/quit`);
    expect(other.status).toBe(403);
    const unknown = await fetch(`${preview.url()}/api/datasources/proxy/uid/nope/api/v1/query`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Data source with uid nope not found' });
  });

  it('never returns secureJsonData, and keeps a secret that is not sent again', async () => {
    const url = `${preview.url()}/api/plugins/okome-slo-app/settings`;
    const first = await (await fetch(url)).json();
    expect(first).toMatchObject({ secureJsonFields: { controllerToken: true } });
    expect(first).not.toHaveProperty('secureJsonData');
    const post = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        enabled: true,
        jsonData: { prometheusUid: 'okome-prometheus', controllerUrl: up.url },
      }),
    });
    expect(post.status).toBe(200);
    const text = await (await fetch(url)).text();
    expect(text).not.toContain(TOKEN);
    await fetch(`${preview.url()}/api/plugin-proxy/okome-slo-app/controller/api/v1/routing`);
    expect(up.seen.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('rejects bad settings with a 400 naming the field', async () => {
    const res = await fetch(`${preview.url()}/api/plugins/okome-slo-app/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonData: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'jsonData: expected an object' });
  });

  it('serves the shell for Grafana page routes, in the theme asked for', async () => {
    const res = await fetch(`${preview.url()}/a/okome-slo-app/topology?theme=light`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('"theme":"light"');
    expect(html).toContain('not Grafana');
    expect(res.headers.get('set-cookie')).toContain('okome_preview_theme=light');
  });

  it('answers 502 naming the upstream when it is down', async () => {
    const down = await start([
      '--prometheus',
      'http://127.0.0.1:9',
      '--controller',
      'http://127.0.0.1:9',
    ]);
    try {
      const res = await fetch(
        `${down.url()}/api/plugin-proxy/okome-slo-app/controller/api/v1/topology`,
      );
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatch(
        /okome-controller at http:\/\/127\.0\.0\.1:9 is unreachable/,
      );
    } finally {
      await down.close();
    }
  });

  it('?role=Viewer signs the page in as a Viewer, and the plugin routes then refuse changes', async () => {
    const page = await fetch(`${preview.url()}/a/okome-slo-app/drills?role=Viewer`);
    const html = await page.text();
    expect(html).toContain('"orgRole":"Viewer"');
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toContain('okome_preview_role=Viewer');
    const before = up.seen.length;
    const post = await fetch(
      `${preview.url()}/api/plugin-proxy/okome-slo-app/controller/api/v1/drills`,
      {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'lose-cache-node' }),
      },
    );
    expect(post.status).toBe(403);
    expect(up.seen.length).toBe(before);
    const read = await fetch(
      `${preview.url()}/api/plugin-proxy/okome-slo-app/controller/api/v1/drills`,
      {
        headers: { cookie },
      },
    );
    expect(read.status).toBe(200);
    const admin = await (await fetch(`${preview.url()}/a/okome-slo-app/drills`)).text();
    expect(admin).toContain('"orgRole":"Admin"');
  });

  it('needs the Editor role for routing changes (plugin.json reqRole)', async () => {
    const { resolveRoute } = await import('./routes');
    const { routes } = (await import('../../src/plugin.json')).default;
    const resolve = (method: string, role: 'Viewer' | 'Editor') =>
      resolveRoute(
        routes,
        'controller/api/v1/routing/engine/CORE',
        method,
        role,
        { controllerUrl: up.url },
        { controllerToken: TOKEN },
      );
    expect(resolve('POST', 'Editor').target).toBe(`${up.url}/api/v1/routing/engine/CORE`);
    expect(() => resolve('POST', 'Viewer')).toThrow('needs role Editor');
    expect(resolve('GET', 'Viewer').headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('preview command line', () => {
  const parse = (args: string[]) => parseArgs(args, '/tmp');

  it('refuses anything but loopback, naming the flag', () => {
    expect(() => parse(['--listen', '0.0.0.0:3000'])).toThrow(
      new UsageError('--listen: 0.0.0.0 is not a loopback address (127.0.0.0/8 only)'),
    );
    expect(() =>
      parse(['--listen', '127.0.86.49:3000', '--prometheus', 'http://192.168.86.49:9090']),
    ).toThrow('--prometheus: 192.168.86.49 is not a loopback address');
    expect(() => parse(['--prometheus', 'http://127.0.0.1:9090'])).toThrow(
      '--listen HOST:PORT is required',
    );
    expect(() => parse(['--listen', '127.0.0.1:3000', '--bogus'])).toThrow(
      'unknown argument --bogus',
    );
    expect(() =>
      parse(['--listen', '127.0.0.1:3000', '--controller-token-file', '/nonexistent/token']),
    ).toThrow(/--controller-token-file: cannot read \/nonexistent\/token/);
  });

  it('takes the stack flags', () => {
    expect(
      parse(['--listen', '127.0.86.49:3000', '--prometheus', 'http://127.0.86.49:9090/']),
    ).toMatchObject({
      host: '127.0.86.49',
      port: 3000,
      prometheusUrl: 'http://127.0.86.49:9090',
      prometheusUid: 'okome-prometheus',
    });
    expect(parse(['--help'])).toBe('help');
  });
});

describe('provisioned settings', () => {
  it('reads the shipped app.yaml and expands $VARS like Grafana', () => {
    const s = loadProvisionedSettings(
      join(pluginRoot, 'provisioning', 'plugins', 'app.yaml'),
      'okome-slo-app',
      {
        OKOME_CONTROLLER_TOKEN: 'from-env-0123456789',
      },
    );
    expect(s).toEqual({
      enabled: true,
      jsonData: { prometheusUid: 'okome-prometheus', controllerUrl: 'http://127.0.86.49:9700' },
      secureJsonData: { controllerToken: 'from-env-0123456789' },
    });
  });

  it('says what is wrong with a settings file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okome-preview-'));
    const file = join(dir, 'app.yaml');
    writeFileSync(file, 'apps:\n  - type: other-app\n');
    expect(() => loadProvisionedSettings(file, 'okome-slo-app')).toThrow(
      new SettingsError(`--settings-file ${file}: no apps[] entry with type: okome-slo-app`),
    );
  });

  it('drops a secret set to an empty string', () => {
    const store = new SettingsStore('okome-slo-app', 'OKOME SLO', {
      secureJsonData: { controllerToken: 'x' },
    });
    store.update({ secureJsonData: { controllerToken: '' } });
    expect(store.publicView().secureJsonFields).toEqual({});
  });
});
