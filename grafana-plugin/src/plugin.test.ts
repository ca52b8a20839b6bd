/**
 * @jest-environment node
 */
// The plugin.json the build writes to dist/: placeholders filled, one page per route of the app,
// the controller routes with the token template and Editor for changes, the bundled dashboards.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from './constants';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderPluginJson } = require('../webpack.config.js') as {
  renderPluginJson: (content: Buffer) => string;
};

interface Route {
  path: string;
  method?: string;
  url: string;
  reqRole?: string;
  headers?: Array<{ name: string; content: string }>;
}

const built = JSON.parse(renderPluginJson(readFileSync(join(__dirname, 'plugin.json')))) as {
  id: string;
  type: string;
  info: {
    version: string;
    updated: string;
    logos: Record<string, string>;
    screenshots: Array<{ path: string }>;
  };
  includes: Array<{
    type: string;
    name: string;
    path: string;
    role?: string;
    addToNav?: boolean;
    defaultNav?: boolean;
  }>;
  routes: Route[];
  dependencies: { grafanaDependency: string };
};

describe('dist/plugin.json', () => {
  it('is an app with its placeholders filled', () => {
    expect(built.id).toMatch(/^[a-z0-9]+-[a-z0-9]+-app$/);
    expect(built.type).toBe('app');
    expect(built.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(built.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(built)).not.toMatch(/%[A-Z_]+%/);
    expect(built.dependencies.grafanaDependency).toMatch(/^>=12\./);
    for (const f of [built.info.logos.small, ...built.info.screenshots.map((s) => s.path)]) {
      expect([f, existsSync(join(__dirname, f as string))]).toEqual([f, true]);
    }
  });

  it('has a nav page for every app route and the config page', () => {
    const pages = built.includes.filter((i) => i.type === 'page').map((i) => i.path);
    for (const r of Object.values(ROUTES)) expect(pages).toContain(`/a/okome-slo-app/${r}`);
    expect(pages).toContain('/plugins/okome-slo-app');
    expect(built.includes.filter((i) => i.defaultNav).map((i) => i.path)).toEqual([
      '/a/okome-slo-app/topology',
    ]);
  });

  it('reaches the controller with the token from secureJsonData; changes need Editor', () => {
    for (const r of built.routes) {
      expect(r.path.startsWith('controller/')).toBe(true);
      expect(r.url.startsWith('{{ .JsonData.controllerUrl }}')).toBe(true);
    }
    const authed = built.routes.filter((r) => r.path !== 'controller/-/healthy');
    for (const r of authed) {
      expect(r.headers).toEqual([
        { name: 'Authorization', content: 'Bearer {{ .SecureJsonData.controllerToken }}' },
      ]);
    }
    for (const r of built.routes.filter((x) => x.method === 'POST'))
      expect(r.reqRole).toBe('Editor');
  });

  it('includes every bundled dashboard', () => {
    const dashboards = built.includes.filter((i) => i.type === 'dashboard');
    expect(dashboards.length).toBeGreaterThan(0);
    for (const d of dashboards) expect(existsSync(join(__dirname, '..', '..', d.path))).toBe(true);
  });
});
