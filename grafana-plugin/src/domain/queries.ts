// Every PromQL expression the pages send, built from the names in conventions.ts. Label values
// are quoted with escapeLabel; ranges come from rateRange(), so the text is always valid PromQL.
import { LABEL, METRIC, RECORD, ALERT } from './conventions';

export type HopRowId =
  'ingress' | 'cache' | 'gateway' | 'engine-first-token' | 'engine-inter-token';

export interface HopRowDef {
  id: HopRowId;
  label: string;
  /** Value of the `hop` label on the series. */
  hop: string;
  /** Histogram base name (without _bucket/_sum/_count). */
  metric: string;
  /** Inventory budget signal this row is measured against. */
  signal: 'added' | 'first-token' | 'inter-token';
}

/** Rows of the latency budget, in token-path order. */
export const HOP_ROWS: readonly HopRowDef[] = [
  { id: 'ingress', label: 'Ingress', hop: 'ingress', metric: METRIC.hopAdded, signal: 'added' },
  { id: 'cache', label: 'Edge cache', hop: 'cache', metric: METRIC.hopAdded, signal: 'added' },
  { id: 'gateway', label: 'Gateway', hop: 'gateway', metric: METRIC.hopAdded, signal: 'added' },
  {
    id: 'engine-first-token',
    label: 'Engine first token',
    hop: 'engine',
    metric: METRIC.firstToken,
    signal: 'first-token',
  },
  {
    id: 'engine-inter-token',
    label: 'Inter-token',
    hop: 'engine',
    metric: METRIC.interToken,
    signal: 'inter-token',
  },
];

export const QUANTILES = [0.5, 0.95, 0.99] as const;

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Range for rate(): the page's time range, at least 1m so a few scrapes fall inside. */
export function rateRange(rangeSeconds: number): string {
  const s = Math.max(60, Math.round(rangeSeconds));
  return `${s}s`;
}

const ROW = 'row';
const tag = (expr: string, row: string): string =>
  `label_replace(${expr}, "${ROW}", "${escapeLabel(row)}", "", "")`;
const sel = (metric: string, hop: string, extra = ''): string =>
  `${metric}{${LABEL.hop}="${escapeLabel(hop)}"${extra}}`;

/**
 * The hop after each relaying hop on the token path. The exporters' taps see the first token
 * entering every hop, so a hop's own share is its first-token time minus the next hop's
 * (exporters/src/collectors/token-latency/hop-budget.ts does the same).
 */
export const NEXT_HOP: Record<string, string> = {
  ingress: 'cache',
  cache: 'engine',
  gateway: 'engine',
};

const quantileAt = (metric: string, hop: string, q: number, range: string) =>
  `histogram_quantile(${q}, sum by (le) (rate(${sel(`${metric}_bucket`, hop)}[${range}])))`;
const meanAt = (metric: string, hop: string, range: string) =>
  `(sum(rate(${sel(`${metric}_sum`, hop)}[${range}])) / sum(rate(${sel(`${metric}_count`, hop)}[${range}])))`;

/**
 * Added latency of a relaying hop: the hop-added histogram where an exporter records one, else
 * first-token time at the hop minus at the next hop (exact for means, an estimate for
 * quantiles), never below zero.
 */
function added(row: HopRowDef, at: (metric: string, hop: string) => string): string {
  const next = NEXT_HOP[row.hop] as string;
  return `(${at(METRIC.hopAdded, row.hop)} or clamp_min(${at(METRIC.firstToken, row.hop)} - on() ${at(METRIC.firstToken, next)}, 0))`;
}

/** One query returning quantile `q` of every hop row, each series labelled `row`. */
export function hopQuantileQuery(q: number, range: string): string {
  return HOP_ROWS.map((r) =>
    tag(
      r.signal === 'added'
        ? added(r, (m, h) => quantileAt(m, h, q, range))
        : quantileAt(r.metric, r.hop, q, range),
      r.id,
    ),
  ).join(' or ');
}

/** Mean latency of every hop row over the range (sum/count), each series labelled `row`. */
export function hopMeanQuery(range: string): string {
  return HOP_ROWS.map((r) =>
    tag(
      r.signal === 'added'
        ? added(r, (m, h) => meanAt(m, h, range))
        : meanAt(r.metric, r.hop, range),
      r.id,
    ),
  ).join(' or ');
}

/** Mean end-to-end request latency as the client sees it at the ingress. */
export function e2eMeanQuery(range: string): string {
  return `sum(rate(${sel(`${METRIC.e2e}_sum`, 'ingress')}[${range}])) / sum(rate(${sel(`${METRIC.e2e}_count`, 'ingress')}[${range}]))`;
}

export const SLO_QUERIES = {
  info: RECORD.info,
  objective: RECORD.objective,
  remaining: RECORD.budgetRemaining,
  periodDays: RECORD.periodDays,
  burnRates: `{__name__=~"${RECORD.burnRatePrefix}.+"}`,
  firingBurnAlerts: `ALERTS{alertname="${ALERT.burn}", alertstate="firing"}`,
} as const;

/** Nominal window of a burn-rate recording rule name: slo:burn_rate:ratio_rate1h → 1h. */
export function burnWindowOf(metricName: string): string | undefined {
  return metricName.startsWith(RECORD.burnRatePrefix)
    ? metricName.slice(RECORD.burnRatePrefix.length) || undefined
    : undefined;
}

/** Per-node key numbers for the topology cards, each by the `node` label. */
export function nodeQueries(range: string): Record<string, string> {
  const n = LABEL.node;
  const hits = `sum by (${n}) (rate(${METRIC.redisHits}[${range}]))`;
  const misses = `sum by (${n}) (rate(${METRIC.redisMisses}[${range}]))`;
  return {
    gpuUsed: `sum by (${n}, ${LABEL.engine}) (${METRIC.gpuEngineUsed})`,
    gpuBudget: `sum by (${n}, ${LABEL.engine}) (${METRIC.gpuEngineBudget})`,
    tokensPerSecond: `sum by (${n}) (rate(${sel(METRIC.generationTokens, 'engine')}[${range}])) or sum by (${n}) (rate(${METRIC.ollamaEval}[${range}]))`,
    ttftP95: `histogram_quantile(0.95, sum by (${n}, le) (rate(${sel(`${METRIC.firstToken}_bucket`, 'engine')}[${range}])))`,
    cacheHitRatio: `${hits} / (${hits} + ${misses})`,
    up: `min by (${n}) (${METRIC.up})`,
  };
}

export interface NodeSeriesDef {
  title: string;
  unit: 'latency' | 'tokens' | 'ratio' | 'bytes';
  expr: string;
}

const ENGINE_ROLES = ['gpu-core', 'gpu-speculative', 'gpu-worker', 'cpu-worker'];

/** Series shown in a node's side panel, for the roles it has, over the time range. */
export function nodeSeriesQueries(node: string, roles: string[], range: string): NodeSeriesDef[] {
  const m = `${LABEL.node}="${escapeLabel(node)}"`;
  const out: NodeSeriesDef[] = [];
  const firstTokenAt = (hop: string, title: string) =>
    out.push({
      title,
      unit: 'latency',
      expr: `histogram_quantile(0.95, sum by (le) (rate(${METRIC.firstToken}_bucket{${LABEL.hop}="${hop}", ${m}}[${range}])))`,
    });
  if (roles.includes('ingress')) firstTokenAt('ingress', 'First token through this ingress p95');
  if (roles.includes('gateway')) firstTokenAt('gateway', 'First token through this gateway p95');
  if (roles.includes('cache')) {
    firstTokenAt('cache', 'First token through this cache p95');
    const hits = `sum(rate(${METRIC.redisHits}{${m}}[${range}]))`;
    const misses = `sum(rate(${METRIC.redisMisses}{${m}}[${range}]))`;
    out.push({ title: 'Cache hit ratio', unit: 'ratio', expr: `${hits} / (${hits} + ${misses})` });
  }
  if (roles.some((r) => ENGINE_ROLES.includes(r))) {
    out.push(
      {
        title: 'Time to first token p95',
        unit: 'latency',
        expr: `histogram_quantile(0.95, sum by (le) (rate(${METRIC.firstToken}_bucket{${LABEL.hop}="engine", ${m}}[${range}])))`,
      },
      {
        title: 'Tokens/s',
        unit: 'tokens',
        expr: `sum(rate(${METRIC.generationTokens}{${LABEL.hop}="engine", ${m}}[${range}])) or sum(rate(${METRIC.ollamaEval}{${m}}[${range}]))`,
      },
      { title: 'GPU memory used', unit: 'bytes', expr: `sum(${METRIC.gpuEngineUsed}{${m}})` },
    );
  }
  out.push({ title: 'Scrape targets up', unit: 'ratio', expr: `avg(${METRIC.up}{${m}})` });
  return out;
}
