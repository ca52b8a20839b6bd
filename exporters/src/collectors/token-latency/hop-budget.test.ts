// The hop-budget PromQL evaluated by Prometheus' own engine (promtool test rules) on series
// shaped like the taps emit: a slow cache node must show in the cache hop only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CACHE_SLI_QUERIES,
  HOP_BUDGET_QUERIES,
  hopAddedMeanQuery,
  hopAddedQuantileQuery,
  hopBudgetQueries,
  hopWithinBudgetRatioQuery,
} from './hop-budget';

const T = 'llm_time_to_first_token_seconds';

/** 100 requests/min per series; the per-request TTFT is sum/count. */
function hist(hop: string, node: string, ttft: number, le: Record<string, number>): string[] {
  const l = `hop="${hop}",node="${node}",engine="vllm",model="m"`;
  const lines = [
    `      - series: '${T}_sum{${l}}'\n        values: '0+${(ttft * 100).toFixed(6)}x10'`,
    `      - series: '${T}_count{${l}}'\n        values: '0+100x10'`,
  ];
  for (const [bound, perMin] of Object.entries({ ...le, '+Inf': 100 }))
    lines.push(
      `      - series: '${T}_bucket{${l},le="${bound}"}'\n        values: '0+${perMin}x10'`,
    );
  return lines;
}

interface Check {
  expr: string;
  /** expected value, and labels of the result if any */
  want: { value: number; labels?: string }[];
}

function promtool(series: string[], checks: Check[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'okome-hop-'));
  writeFileSync(join(dir, 'empty.rules.yml'), 'groups: []\n');
  const tests = checks
    .map((c) => {
      // Compare within 1e-9 so float rounding in sums does not matter.
      const samples = c.want
        .map((w) => `          - labels: '${w.labels ?? '{}'}'\n            value: 1`)
        .join('\n');
      return `      - expr: 'abs((${c.expr}) - ${c.want[0]!.value}) < bool 1e-9'\n        eval_time: 10m\n        exp_samples:\n${samples}`;
    })
    .join('\n');
  const file = `rule_files: [empty.rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n${series.join('\n')}\n    promql_expr_test:\n${tests}\n`;
  writeFileSync(join(dir, 'test.yml'), file);
  try {
    execFileSync('promtool', ['test', 'rules', 'test.yml'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(
      `promtool failed:\n${e.stdout ?? ''}${e.stderr ?? ''}\n--- test.yml ---\n${file}`,
    );
  }
}

describe('hop budget PromQL (promtool test rules)', () => {
  // Healthy: ingress adds 4 ms, the cache 1 ms, the engine's first token is 0.295 s.
  const healthy = [
    ...hist('ingress', 'NODE-01', 0.3, { '0.25': 0, '0.45': 100 }),
    ...hist('cache', 'NODE-03', 0.296, { '0.25': 0, '0.45': 100 }),
    ...hist('engine', 'CORE', 0.295, { '0.1': 0, '0.25': 100 }),
  ];

  it('added latency per hop: exact means from _sum/_count', () => {
    promtool(healthy, [
      { expr: hopAddedMeanQuery('ingress', 'cache'), want: [{ value: 0.004 }] },
      { expr: hopAddedMeanQuery('cache', 'engine'), want: [{ value: 0.001 }] },
    ]);
  });

  it('an idle hop gives no sample (not NaN), so an SLO time slice is skipped, not bad', () => {
    // Counters that stopped moving: rate() is 0 in the last 5m, 0/0 would be NaN.
    const flat = (hop: string, node: string) => [
      `      - series: '${T}_sum{hop="${hop}",node="${node}"}'\n        values: '0+30x2 60x8'`,
      `      - series: '${T}_count{hop="${hop}",node="${node}"}'\n        values: '0+100x2 200x8'`,
    ];
    const idle = [...flat('ingress', 'NODE-01'), ...flat('cache', 'NODE-03')];
    promtool(idle, [
      {
        expr: `count(${hopAddedMeanQuery('ingress', 'cache', { by: ['node'] })}) or vector(0)`,
        want: [{ value: 0 }],
      },
    ]);
  });

  it('added latency quantile estimate: difference of histogram_quantile()s', () => {
    // cache p50 interpolates to 0.25 + 0.2 * 0.5 = 0.35; engine p50 to 0.1 + 0.15 * 0.5 = 0.175.
    promtool(healthy, [
      {
        expr: hopAddedQuantileQuery('cache', 'engine', { quantile: 0.5 }),
        want: [{ value: 0.175 }],
      },
    ]);
  });

  it('a slow cache node shows in the cache hop, on that node only, not in ingress', () => {
    // Two cache nodes behind two ingress nodes; NODE-04 adds 50 ms. Ingress sees the delay on
    // its requests through NODE-04 too, so its own added latency stays 4 ms.
    const slow = [
      ...hist('ingress', 'NODE-01', 0.3, { '0.45': 100 }),
      ...hist('ingress', 'NODE-02', 0.35, { '0.45': 100 }),
      ...hist('cache', 'NODE-03', 0.296, { '0.45': 100 }),
      ...hist('cache', 'NODE-04', 0.346, { '0.45': 100 }),
      ...hist('engine', 'CORE', 0.295, { '0.45': 100 }),
    ];
    promtool(slow, [
      { expr: hopAddedMeanQuery('ingress', 'cache'), want: [{ value: 0.004 }] },
      {
        expr: `${hopAddedMeanQuery('cache', 'engine', { by: ['node'] })} and on(node) {node="NODE-03"}`,
        want: [{ value: 0.001, labels: '{node="NODE-03"}' }],
      },
      {
        expr: `${hopAddedMeanQuery('cache', 'engine', { by: ['node'] })} and on(node) {node="NODE-04"}`,
        want: [{ value: 0.051, labels: '{node="NODE-04"}' }],
      },
    ]);
  });

  it('every exported query is valid PromQL and the budget ratio reads a bucket bound', () => {
    const qs = [
      ...HOP_BUDGET_QUERIES.flatMap((q) => [q.quantile, q.byNode, ...(q.mean ? [q.mean] : [])]),
      hopWithinBudgetRatioQuery(T, 'engine', 0.45, { node: 'CORE' }),
      ...Object.values(CACHE_SLI_QUERIES),
    ];
    expect(HOP_BUDGET_QUERIES.map((q) => `${q.hop}/${q.signal}/${q.thresholdSeconds}`)).toEqual([
      'ingress/added/0.005',
      'cache/added/0.002',
      'engine/first-token/0.5',
      'engine/inter-token/0.04',
    ]);
    // Each query must parse and evaluate; `* 0` makes the expected value independent of the data.
    promtool(
      healthy,
      qs.map((q) => ({ expr: `(count(${q}) or vector(0)) * 0`, want: [{ value: 0 }] })),
    );
  });

  it('explains a hop with nothing after it on the path', () => {
    expect(() => hopBudgetQueries([{ hop: 'engine', signal: 'added', threshold: '1ms' }])).toThrow(
      /no hop after it on the token path ingress → cache → engine/,
    );
  });
});
