// Small builders for Grafana dashboard JSON (schemaVersion 41, Grafana 11/12). Every panel and
// query reaches Prometheus through the `${datasource}` variable, so the files import into any
// Grafana without editing uids; panels are laid out left to right, wrapping at 24 columns.
import type {
  AnnotationQuery,
  Dashboard,
  DataSourceRef,
  Panel,
  RowPanel,
  VariableModel,
} from '@grafana/schema';

export const SCHEMA_VERSION = 41;
export const GRID_WIDTH = 24;

/** The only datasource reference in the generated files. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Label matchers every query carries: the selected cluster and node(s). */
export const CLUSTER = 'cluster="$cluster"';
export const NODE = 'node=~"$node"';
export const CN = `${CLUSTER},${NODE}`;

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query (stat/table of current values). */
  instant?: boolean;
  format?: 'time_series' | 'table';
}

export interface Threshold {
  color: string;
  value: number | null;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  w: number;
  h: number;
  thresholds?: Threshold[];
  min?: number;
  max?: number;
  decimals?: number;
  /** Draw the thresholds as lines/areas on time series. */
  thresholdStyle?: 'off' | 'line' | 'dashed' | 'area' | 'line+area';
  mappings?: unknown[];
  options?: Record<string, unknown>;
  custom?: Record<string, unknown>;
  overrides?: unknown[];
  transformations?: { id: string; options: Record<string, unknown> }[];
}

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table';

export interface PanelDef extends PanelSpec {
  type: PanelType;
}

export interface RowDef {
  type: 'row';
  title: string;
}

export type Item = PanelDef | RowDef;

/** Green up to the first step; steps are `[value, color]`. */
export function steps(base: string, ...rest: [number, string][]): Threshold[] {
  return [{ color: base, value: null }, ...rest.map(([value, color]) => ({ color, value }))];
}

const panel =
  (type: PanelType) =>
  (spec: PanelSpec): PanelDef => ({ ...spec, type });

export const timeseries = panel('timeseries');
export const stat = panel('stat');
export const gauge = panel('gauge');
export const bargauge = panel('bargauge');
export const table = panel('table');
export const row = (title: string): RowDef => ({ type: 'row', title });

/** Value mapping for 0/1 health gauges. */
export const UP_DOWN = [
  {
    type: 'value',
    options: {
      '0': { text: 'DOWN', color: 'red', index: 0 },
      '1': { text: 'UP', color: 'green', index: 1 },
    },
  },
];

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: Query[]) {
  return queries.map((q, i) => ({
    refId: REF_IDS[i] as string,
    datasource: DATASOURCE,
    editorMode: 'code',
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    range: !q.instant,
    instant: Boolean(q.instant),
    format: q.format ?? (q.instant ? 'table' : 'time_series'),
  }));
}

function defaultOptions(def: PanelDef): Record<string, unknown> {
  const reduce = { values: false, calcs: ['lastNotNull'], fields: '' };
  switch (def.type) {
    case 'timeseries':
      return {
        legend: {
          displayMode: 'table',
          placement: 'bottom',
          showLegend: true,
          calcs: ['mean', 'max', 'lastNotNull'],
        },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'stat':
      return {
        reduceOptions: reduce,
        colorMode: 'background',
        graphMode: 'area',
        justifyMode: 'auto',
        textMode: 'auto',
        orientation: 'auto',
        wideLayout: true,
        showPercentChange: false,
      };
    case 'gauge':
      return {
        reduceOptions: reduce,
        showThresholdLabels: false,
        showThresholdMarkers: true,
        orientation: 'auto',
      };
    case 'bargauge':
      return {
        reduceOptions: reduce,
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'auto',
        sizing: 'auto',
        minVizHeight: 16,
        minVizWidth: 8,
        maxVizHeight: 300,
      };
    case 'table':
      return {
        showHeader: true,
        cellHeight: 'sm',
        footer: { show: false, reducer: ['sum'], countRows: false },
      };
  }
}

function toPanel(def: PanelDef, id: number, gridPos: Panel['gridPos']): Panel {
  const custom: Record<string, unknown> =
    def.type === 'timeseries'
      ? {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: 10,
          showPoints: 'never',
          spanNulls: false,
          thresholdsStyle: { mode: def.thresholdStyle ?? 'off' },
          ...def.custom,
        }
      : { ...def.custom };
  const defaults: Record<string, unknown> = {
    unit: def.unit,
    color: { mode: def.type === 'timeseries' ? 'palette-classic' : 'thresholds' },
    thresholds: { mode: 'absolute', steps: def.thresholds ?? steps('green') },
    mappings: def.mappings ?? [],
    custom,
  };
  if (def.min !== undefined) defaults.min = def.min;
  if (def.max !== undefined) defaults.max = def.max;
  if (def.decimals !== undefined) defaults.decimals = def.decimals;
  const out: Panel = {
    id,
    type: def.type,
    title: def.title,
    description: def.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults, overrides: (def.overrides ?? []) as never[] },
    options: { ...defaultOptions(def), ...def.options },
    targets: targets(def.queries),
  };
  if (def.transformations) out.transformations = def.transformations;
  return out;
}

/** Flow layout: panels fill a line of 24 columns, a row header starts a new line. */
export function layout(items: Item[]): Array<Panel | RowPanel> {
  const out: Array<Panel | RowPanel> = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  let id = 1;
  for (const item of items) {
    if (item.type === 'row') {
      if (x > 0) y += lineHeight;
      x = 0;
      lineHeight = 0;
      out.push({
        id: id++,
        type: 'row',
        title: item.title,
        collapsed: false,
        gridPos: { h: 1, w: GRID_WIDTH, x: 0, y },
        panels: [],
      });
      y += 1;
      continue;
    }
    if (item.w > GRID_WIDTH) throw new Error(`panel "${item.title}" is wider than ${GRID_WIDTH}`);
    if (x + item.w > GRID_WIDTH) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    out.push(toPanel(item, id++, { h: item.h, w: item.w, x, y }));
    x += item.w;
    lineHeight = Math.max(lineHeight, item.h);
  }
  return out;
}

function queryVariable(
  name: string,
  label: string,
  query: string,
  opts: { multi?: boolean; includeAll?: boolean; description: string },
): VariableModel {
  return {
    type: 'query',
    name,
    label,
    description: opts.description,
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 },
    refresh: 2,
    sort: 1,
    multi: Boolean(opts.multi),
    includeAll: Boolean(opts.includeAll),
    allValue: opts.includeAll ? '.*' : undefined,
    ...(opts.includeAll ? { current: { text: ['All'], value: ['$__all'] } } : {}),
    options: [],
    regex: '',
    hide: 0,
    skipUrlSync: false,
  } as VariableModel;
}

/** `${datasource}` (any Prometheus), `cluster` and `node` from the exporters' target labels. */
export function standardVariables(extra: VariableModel[] = []): VariableModel[] {
  return [
    {
      type: 'datasource',
      name: 'datasource',
      label: 'Prometheus',
      description: 'Prometheus of the cluster (NODE-09 or NODE-10; both scrape the same targets).',
      query: 'prometheus',
      options: [],
      regex: '',
      refresh: 1,
      hide: 0,
      skipUrlSync: false,
      multi: false,
      includeAll: false,
    } as VariableModel,
    queryVariable('cluster', 'Cluster', 'label_values(up{job="okome-exporter"}, cluster)', {
      description: 'Inventory cluster name (the `cluster` target label).',
    }),
    queryVariable(
      'node',
      'Node',
      'label_values(up{job="okome-exporter", cluster="$cluster"}, node)',
      {
        multi: true,
        includeAll: true,
        description: 'Inventory node ids (the `node` target label).',
      },
    ),
    ...extra,
  ];
}

export { queryVariable };

/** Drill phases and the controller's routing changes, on every dashboard. */
export function standardAnnotations(): AnnotationQuery[] {
  return [
    {
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    },
    {
      datasource: DATASOURCE,
      enable: true,
      hide: false,
      iconColor: 'purple',
      name: 'Failover drills',
      target: {
        refId: 'Drills',
        // The phase gauge keeps the last drill's final phase; annotate only while one runs.
        expr: `okome_drill_phase{${CLUSTER}} == 1 and on (cluster) (okome_drill_active{${CLUSTER}} == 1)`,
      },
      titleFormat: 'Drill {{drill}}: {{phase}}',
      textFormat: '{{scenario}}',
      tagKeys: 'scenario,phase',
      useValueForTime: false,
      step: '15s',
    } as AnnotationQuery,
    {
      datasource: DATASOURCE,
      enable: true,
      hide: false,
      iconColor: 'orange',
      name: 'Routing changes',
      target: {
        refId: 'Routing',
        expr: `sum by (pool, action, actor) (increase(okome_controller_actions_total{${CLUSTER}}[1m])) > 0`,
      },
      titleFormat: 'Routing: {{action}} in pool {{pool}}',
      textFormat: 'by {{actor}}',
      tagKeys: 'pool,action,actor',
      useValueForTime: false,
      step: '1m',
    } as AnnotationQuery,
  ];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  items: Item[];
  variables?: VariableModel[];
  refresh?: string;
  time?: { from: string; to: string };
}

export const DASHBOARD_TAG = 'okome';

/** A complete dashboard: uid stable across Grafanas, linked to its siblings by tag. */
export function dashboard(spec: DashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG, ...spec.tags],
    editable: true,
    graphTooltip: 1,
    fiscalYearStartMonth: 0,
    liveNow: false,
    refresh: spec.refresh ?? '30s',
    schemaVersion: SCHEMA_VERSION,
    time: spec.time ?? { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    weekStart: '',
    version: 1,
    links: [
      {
        title: 'OKOME dashboards',
        type: 'dashboards',
        tags: [DASHBOARD_TAG],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: { list: standardAnnotations() },
    templating: { list: spec.variables ?? standardVariables() },
    panels: layout(spec.items),
  } as Dashboard;
}
