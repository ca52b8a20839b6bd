// Emulates Grafana's app plugin proxy for plugin.json `routes`: prefix match on the path after
// /api/plugin-proxy/<id>/, method check, role check, and {{ .JsonData.x }} /
// {{ .SecureJsonData.x }} templates in url and headers, so the preview exercises the very routes
// the plugin ships with.

export interface PluginRoute {
  path: string;
  method?: string;
  url: string;
  reqRole?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ResolvedRoute {
  target: string;
  headers: Record<string, string>;
  route: PluginRoute;
}

const ROLE_RANK: Record<string, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RouteError';
  }
}

export function interpolate(
  template: string,
  jsonData: Readonly<Record<string, unknown>>,
  secure: Readonly<Record<string, string>>,
): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_, kind: string, key: string) => {
      const v = kind === 'JsonData' ? jsonData[key] : secure[key];
      return v === undefined || v === null ? '' : String(v);
    },
  );
}

export function resolveRoute(
  routes: PluginRoute[],
  proxyPath: string,
  method: string,
  userRole: 'Viewer' | 'Editor' | 'Admin',
  jsonData: Readonly<Record<string, unknown>>,
  secure: Readonly<Record<string, string>>,
): ResolvedRoute {
  const path = proxyPath.replace(/^\/+/, '');
  const candidates = routes.filter(
    (r) => path === r.path || path.startsWith(`${r.path.replace(/\/+$/, '')}/`),
  );
  if (candidates.length === 0) throw new RouteError(404, `no plugin route matches ${path}`);
  const route = candidates
    .filter(
      (r) =>
        !r.method ||
        r.method === '*' ||
        r.method
          .split(',')
          .map((m) => m.trim().toUpperCase())
          .includes(method),
    )
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!route) throw new RouteError(405, `plugin route ${path} does not allow ${method}`);
  if (route.reqRole && (ROLE_RANK[userRole] ?? 0) < (ROLE_RANK[route.reqRole] ?? 99)) {
    throw new RouteError(403, `plugin route ${route.path} needs role ${route.reqRole}`);
  }
  const base = interpolate(route.url, jsonData, secure).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(base)) {
    throw new RouteError(
      502,
      `plugin route ${route.path} has no target: set the controller URL in the plugin configuration`,
    );
  }
  const rest = path.slice(route.path.replace(/\/+$/, '').length);
  const headers: Record<string, string> = {};
  for (const h of route.headers ?? [])
    headers[h.name.toLowerCase()] = interpolate(h.content, jsonData, secure);
  return { target: `${base}${rest}`, headers, route };
}
