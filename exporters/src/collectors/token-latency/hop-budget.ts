// PromQL for the hop latency budgets (inventory `budgets.hops`), from the llm_* series alone.
// A hop's own added latency is the first-token time seen entering that hop minus the one seen
// entering the next hop downstream (ingress → cache → engine): everything below a hop is in
// both, so only the hop's own share remains.
// - `mean` uses _sum/_count and is exact (sums subtract cleanly);
// - `quantile` subtracts two histogram_quantile()s: an estimate, bounded by bucket resolution
//   (vLLM TTFT buckets are 1 ms at the low end, coarser above 0.1 s), for dashboards.
// Queries are built from parts, and the test runs every one through promtool.
import { LLM_METRICS } from './names';

/** Token path order; the gateway is a control plane, not a per-token relay, on OKOME. */
export const TOKEN_PATH = ['ingress', 'cache', 'engine'] as const;

export interface HopQueryOptions {
  /** Range for rate(), e.g. 5m. */
  window?: string;
  /** e.g. 0.99 */
  quantile?: number;
  /** Extra label matchers for every selector, e.g. `cluster="okome"`. */
  matchers?: string;
  /** Break the hop's side down by these labels (e.g. ["node"]) against the whole next hop. */
  by?: string[];
}

const TTFT = LLM_METRICS.ttft;

function sel(hop: string, extra?: string, node?: string): string {
  const m = [`hop="${hop}"`];
  if (node) m.push(`node="${node}"`);
  if (extra) m.push(extra);
  return `{${m.join(',')}}`;
}

function meanTtft(hop: string, o: HopQueryOptions, by: string[] = [], node?: string): string {
  const w = o.window ?? '5m';
  const g = by.length ? ` by (${by.join(', ')})` : '';
  // `> 0` on the count: a window without requests gives no sample rather than NaN (0/0), so an
  // idle hop is "no data" to an SLO time slice, never a slice over budget.
  return `(sum${g} (rate(${TTFT}_sum${sel(hop, o.matchers, node)}[${w}])) / (sum${g} (rate(${TTFT}_count${sel(hop, o.matchers, node)}[${w}])) > 0))`;
}

function quantileTtft(hop: string, o: HopQueryOptions, by: string[] = [], node?: string): string {
  const w = o.window ?? '5m';
  const q = o.quantile ?? 0.99;
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${TTFT}_bucket${sel(hop, o.matchers, node)}[${w}])))`;
}

function join(by: string[]): string {
  return by.length ? ' - on() group_left() ' : ' - on() ';
}

/** Mean added latency of `hop` (seconds): mean TTFT at hop − mean TTFT at `next`. */
export function hopAddedMeanQuery(hop: string, next: string, o: HopQueryOptions = {}): string {
  const by = o.by ?? [];
  return `${meanTtft(hop, o, by)}${join(by)}${meanTtft(next, o)}`;
}

/** Quantile estimate of the added latency: q-TTFT at hop − q-TTFT at `next`. */
export function hopAddedQuantileQuery(hop: string, next: string, o: HopQueryOptions = {}): string {
  const by = o.by ?? [];
  return `${quantileTtft(hop, o, by)}${join(by)}${quantileTtft(next, o)}`;
}

/** q-quantile of a histogram at one hop (first token, inter-token, e2e), optionally one node. */
export function hopQuantileQuery(
  metric: string,
  hop: string,
  o: HopQueryOptions & { node?: string } = {},
): string {
  const w = o.window ?? '5m';
  const q = o.quantile ?? 0.99;
  const by = ['le', ...(o.by ?? [])];
  return `histogram_quantile(${q}, sum by (${by.join(', ')}) (rate(${metric}_bucket${sel(hop, o.matchers, o.node)}[${w}])))`;
}

/** Share of requests at a hop whose first token came within `thresholdSeconds` (must be a bucket bound). */
export function hopWithinBudgetRatioQuery(
  metric: string,
  hop: string,
  thresholdSeconds: number,
  o: HopQueryOptions & { node?: string } = {},
): string {
  const w = o.window ?? '5m';
  const s = sel(hop, o.matchers, o.node).slice(1, -1);
  return `sum(rate(${metric}_bucket{${s},le="${thresholdSeconds}"}[${w}])) / sum(rate(${metric}_count{${s}}[${w}]))`;
}

export interface HopBudgetQuery {
  hop: string;
  signal: 'added' | 'first-token' | 'inter-token' | 'e2e';
  thresholdSeconds: number;
  /** Estimate at the budget's quantile (compare with thresholdSeconds). */
  quantile: string;
  /** Exact mean (added) or undefined. */
  mean?: string;
  /** Per-node breakdown of the hop's side (added) or of the hop (others). */
  byNode: string;
}

export interface HopBudgetInput {
  hop: string;
  signal: 'added' | 'first-token' | 'inter-token' | 'e2e';
  threshold: string;
  quantile?: number;
  node?: string;
}

const SIGNAL_METRIC = {
  'first-token': LLM_METRICS.ttft,
  'inter-token': LLM_METRICS.itl,
  e2e: LLM_METRICS.e2e,
} as const;

function seconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    const n = Number(m[1]);
    total +=
      n * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] as 'ms'];
  }
  return total;
}

/** Queries for budgets shaped like the inventory's `budgets.hops` entries. */
export function hopBudgetQueries(
  budgets: readonly HopBudgetInput[],
  o: HopQueryOptions = {},
  path: readonly string[] = TOKEN_PATH,
): HopBudgetQuery[] {
  return budgets.map((b) => {
    const q = { ...o, quantile: b.quantile ?? o.quantile ?? 0.99 };
    const thresholdSeconds = seconds(b.threshold);
    if (b.signal === 'added') {
      const next = path[path.indexOf(b.hop) + 1];
      if (!next)
        throw new Error(
          `budget for hop "${b.hop}": no hop after it on the token path ${path.join(' → ')}`,
        );
      return {
        hop: b.hop,
        signal: b.signal,
        thresholdSeconds,
        quantile: hopAddedQuantileQuery(b.hop, next, q),
        mean: hopAddedMeanQuery(b.hop, next, q),
        byNode: hopAddedMeanQuery(b.hop, next, { ...q, by: ['node'] }),
      };
    }
    const metric = SIGNAL_METRIC[b.signal];
    const withNode = b.node ? { ...q, node: b.node } : q;
    return {
      hop: b.hop,
      signal: b.signal,
      thresholdSeconds,
      quantile: hopQuantileQuery(metric, b.hop, withNode),
      byNode: hopQuantileQuery(metric, b.hop, { ...withNode, by: ['node'] }),
    };
  });
}

/** OKOME's budgets (seed 000): ingress < 5 ms, cache < 2 ms added; CORE first token < 500 ms. */
export const HOP_BUDGET_QUERIES: readonly HopBudgetQuery[] = hopBudgetQueries([
  { hop: 'ingress', signal: 'added', threshold: '5ms' },
  { hop: 'cache', signal: 'added', threshold: '2ms' },
  { hop: 'engine', signal: 'first-token', threshold: '500ms', node: 'CORE' },
  { hop: 'engine', signal: 'inter-token', threshold: '40ms', node: 'CORE' },
]);

/** Cache SLIs from redis_exporter's standard names (nothing new needed for a hit ratio). */
export const CACHE_SLI_QUERIES = {
  hitRatio:
    'sum by (instance) (rate(redis_keyspace_hits_total[5m])) / (sum by (instance) (rate(redis_keyspace_hits_total[5m])) + sum by (instance) (rate(redis_keyspace_misses_total[5m])))',
  up: 'redis_up',
  memoryUsedRatio: 'redis_memory_used_bytes / (redis_memory_max_bytes > 0)',
  evictionsPerSecond: 'rate(redis_evicted_keys_total[5m])',
} as const;
