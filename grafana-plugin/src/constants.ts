import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
export const PLUGIN_CONFIG_URL = `/plugins/${PLUGIN_ID}`;

/** Relative paths of the app's pages under PLUGIN_BASE_URL (plugin.json `includes`). */
export enum ROUTES {
  Topology = 'topology',
  LatencyBudget = 'latency-budget',
  Drills = 'drills',
}

/** Prefix of the plugin.json routes that reach okome-controller through Grafana's plugin proxy. */
export const CONTROLLER_PROXY = `/api/plugin-proxy/${PLUGIN_ID}/controller`;

/** Grafana's datasource proxy: Prometheus HTTP API of the datasource with this uid. */
export const datasourceProxy = (uid: string): string =>
  `/api/datasources/proxy/uid/${encodeURIComponent(uid)}`;

/** Default time range and refresh of the pages, in Grafana's URL syntax. */
export const DEFAULT_FROM = 'now-15m';
export const DEFAULT_TO = 'now';
export const DEFAULT_REFRESH = '10s';
export const REFRESH_INTERVALS = ['5s', '10s', '30s', '1m', '5m'];

const ENGINE_ROLES = ['gpu-core', 'gpu-speculative', 'gpu-worker', 'cpu-worker'];

/** Dashboards bundled from dashboards/ (plugin.json includes), linked from a node's panel. */
export const NODE_DASHBOARDS: ReadonlyArray<{ uid: string; title: string; roles?: string[] }> = [
  { uid: 'okome-sre-overview', title: 'SRE overview' },
  { uid: 'okome-latency-budget', title: 'Latency budget per hop' },
  { uid: 'okome-gpu-arbitration', title: 'GPU arbitration', roles: ENGINE_ROLES },
  { uid: 'okome-engine-throughput', title: 'Engine throughput', roles: ENGINE_ROLES },
  { uid: 'okome-redis-edge-cache', title: 'Redis edge cache', roles: ['cache'] },
  { uid: 'okome-slo-burn', title: 'SLO burn' },
];

/** Dashboard links for a node: its own `node` variable and the page's time range. */
export function nodeDashboardLinks(
  node: string,
  roles: string[],
  from: string,
  to: string,
): Array<{ title: string; url: string }> {
  const q = new URLSearchParams({ 'var-node': node, from, to });
  return NODE_DASHBOARDS.filter((d) => !d.roles || d.roles.some((r) => roles.includes(r))).map(
    (d) => ({ title: d.title, url: `/d/${d.uid}?${q.toString()}` }),
  );
}
