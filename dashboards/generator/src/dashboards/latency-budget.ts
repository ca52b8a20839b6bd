// Latency budget per hop: each inventory budget (ingress/cache added latency, engine first token
// and inter-token) against its threshold, with the exporters' own PromQL (hopBudgetQueries), so
// this dashboard and the exporter README can never disagree on what "added latency" means.
import type { Inventory } from '@okome/provisioning';
import { hopBudgetQueries, LLM_METRICS } from '@okome/exporters';
import type { Dashboard } from '@grafana/schema';
import type { Item } from '../builder';
import { CLUSTER, CN, dashboard, row, stat, timeseries } from '../builder';
import { budgetSeconds, describeBudget, latencyThresholds, round } from '../budgets';

const R = '$__rate_interval';

function budgetItems(inv: Inventory): Item[] {
  const queries = hopBudgetQueries(inv.budgets.hops, { window: R, matchers: CLUSTER });
  return inv.budgets.hops.flatMap((b, i) => {
    const q = queries[i];
    if (!q) return [];
    const seconds = budgetSeconds(b);
    const name = `${b.hop} ${b.signal}${b.node ? ` (${b.node})` : ''}`;
    const pq = `p${Math.round(b.quantile * 1000) / 10}`;
    const what =
      b.signal === 'added'
        ? `the latency the ${b.hop} hop adds on its own: first-token time entering it minus first-token time entering the next hop`
        : `${b.signal} latency at the ${b.hop} hop`;
    return [
      row(`Budget: ${describeBudget(b)}`),
      stat({
        title: `${name} ${pq}`,
        description: `Estimated ${pq} of ${what}. Budget ${b.threshold}: orange from 80 %, red above.`,
        unit: 's',
        w: 6,
        h: 7,
        thresholds: latencyThresholds(seconds),
        queries: [{ expr: q.quantile, legend: pq }],
      }),
      timeseries({
        title: `${name} vs budget`,
        description: `${pq} estimate${q.mean ? ' and exact mean' : ''} of ${what}, with the ${b.threshold} budget as a line.`,
        unit: 's',
        w: 9,
        h: 7,
        thresholds: latencyThresholds(seconds),
        thresholdStyle: 'dashed',
        queries: [
          { expr: q.quantile, legend: pq },
          ...(q.mean ? [{ expr: q.mean, legend: 'mean' }] : []),
          { expr: `vector(${round(seconds)})`, legend: 'budget' },
        ],
      }),
      timeseries({
        title: `${name} by node`,
        description: `The same signal per node of the hop${b.signal === 'added' ? ' (mean, against the whole next hop)' : ` (${pq})`}: a single slow node shows here first.`,
        unit: 's',
        w: 9,
        h: 7,
        thresholds: latencyThresholds(seconds),
        thresholdStyle: 'dashed',
        queries: [{ expr: q.byNode, legend: '{{node}}' }],
      }),
    ];
  });
}

export function latencyBudget(inv: Inventory): Dashboard {
  return dashboard({
    uid: 'okome-latency-budget',
    title: 'OKOME / Latency budget per hop',
    description:
      'Per-hop latency budgets from the inventory (seed 000: ingress < 5 ms, cache < 2 ms, CORE first token < 500 ms): current estimate, trend against the budget, per node, and the SLO error budget left.',
    tags: ['latency', 'slo'],
    items: [
      row('Token path'),
      timeseries({
        title: 'Time to first token per hop (p50 / p95 / p99)',
        description: 'First-token latency entering each hop of the token path, three quantiles.',
        unit: 's',
        w: 12,
        h: 8,
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le, hop) (rate(${LLM_METRICS.ttft}_bucket{${CN}}[${R}])))`,
          legend: `{{hop}} p${q * 100}`,
        })),
      }),
      timeseries({
        title: 'Inter-token latency per hop (p50 / p99)',
        description:
          'Gap between consecutive tokens entering each hop: what a streaming user perceives as stutter.',
        unit: 's',
        w: 12,
        h: 8,
        queries: [0.5, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le, hop) (rate(${LLM_METRICS.itl}_bucket{${CN}}[${R}])))`,
          legend: `{{hop}} p${q * 100}`,
        })),
      }),
      ...budgetItems(inv),
      row('Error budget'),
      timeseries({
        title: 'Hop SLO burn rate (1h)',
        description:
          'Burn rate of the per-hop latency SLOs over the 1h window (okome-slo recording rules): 1 spends the budget exactly over the SLO period, 14.4 pages.',
        unit: 'none',
        w: 12,
        h: 8,
        thresholds: [
          { color: 'green', value: null },
          { color: 'orange', value: 6 },
          { color: 'red', value: 14.4 },
        ],
        thresholdStyle: 'dashed',
        queries: [{ expr: `slo:burn_rate:ratio_rate1h{${CLUSTER},hop=~".+"}`, legend: '{{slo}}' }],
      }),
      timeseries({
        title: 'Hop SLO error budget remaining',
        description:
          'Share of the period error budget left for each per-hop SLO; below 0 the SLO is breached.',
        unit: 'percentunit',
        w: 12,
        h: 8,
        thresholds: [
          { color: 'red', value: null },
          { color: 'orange', value: 0 },
          { color: 'green', value: 0.25 },
        ],
        queries: [
          {
            expr: `slo:period_error_budget_remaining:ratio{${CLUSTER},hop=~".+"}`,
            legend: '{{slo}}',
          },
        ],
      }),
    ],
  });
}
