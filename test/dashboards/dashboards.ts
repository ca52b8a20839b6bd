// The committed dashboards as typed Grafana models, their panels, and their queries with the
// template variables substituted the way Grafana does before it sends them to Prometheus.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';

export const DASHBOARDS_DIR = join(__dirname, '..', '..', 'dashboards');

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export function loadDashboards(dir = DASHBOARDS_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard,
    }));
}

export function isRow(p: Panel | RowPanel): p is RowPanel {
  return p.type === 'row';
}

/** Every panel, including those inside collapsed rows; rows themselves excluded. */
export function panelsOf(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => (isRow(p) ? p.panels : [p]));
}

export interface PanelTarget {
  refId: string;
  expr: string;
  instant?: boolean;
  range?: boolean;
  datasource?: { type?: string; uid?: string };
}

export function targetsOf(p: Panel): PanelTarget[] {
  return (p.targets ?? []) as unknown as PanelTarget[];
}

export interface Substitution {
  cluster: string;
  /** A node id, or `.*` for All. */
  node: string;
  rateInterval: string;
  interval: string;
  range: string;
  /** Extra dashboard variables (e.g. slo) → value. */
  extra?: Record<string, string>;
}

/** Grafana's interpolation for the variables these dashboards use. */
export function substitute(expr: string, s: Substitution): string {
  const vars: Record<string, string> = {
    __rate_interval: s.rateInterval,
    __interval: s.interval,
    __range: s.range,
    cluster: s.cluster,
    node: s.node,
    ...s.extra,
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for variable $${name} in: ${expr}`);
    return value;
  });
}

/** Names of the template variables a dashboard declares (besides Grafana's globals). */
export function variableNames(d: Dashboard): string[] {
  return (d.templating?.list ?? []).map((v) => v.name);
}
