// SLOs the inventory already states: one SLO per hop budget (budgets.hops), e.g. OKOME's
// ingress < 5 ms and cache < 2 ms added, CORE first token < 500 ms.
//
// First-token, inter-token and e2e budgets are latency SLIs on the taps' histograms. An
// `added` budget (the latency a hop adds on its own) cannot be: no exporter sees one request
// on both sides of a hop, so there is no per-request "added" histogram. It is measured as the
// exporters' hop-budget query instead — mean first-token time entering the hop minus entering
// the next hop on the token path, per node of the hop (HOP_BUDGET_QUERIES) — and becomes a
// time-slice SLI: a slice is good when the worst node's mean added latency over the slice is
// within the threshold. Means subtract exactly; quantiles do not (a difference of two
// histogram_quantile()s is not the quantile of the difference), so the budget's quantile is
// reported in the description but the slice verdict is on the mean.
import { hopAddedMeanQuery, LLM_METRICS, TOKEN_PATH } from '@okome/exporters';
import type { Inventory } from '@okome/provisioning';
import { SIGNAL_METRIC } from '../conventions';
import { parseDuration } from '../duration';
import type { Matcher, Sli, Slo, ThresholdInput } from '../model';
import { scaledRange } from '../windows';

export const HOP_SERVICE = 'token-path';

/** Slice length of an added-latency SLI: the range of the mean, before --time-scale. */
export const ADDED_SLICE_SECONDS = 300;

/** Requests per minute and first-token times the promtool tests feed an added SLI with. */
const FEED_RATE = 60;
const FEED_NEXT_TTFT = 0.1;

function addedSli(inv: Inventory, hop: string, thresholdSeconds: number, timeScale: number): Sli {
  const next = TOKEN_PATH[TOKEN_PATH.indexOf(hop as (typeof TOKEN_PATH)[number]) + 1];
  if (!next)
    throw new Error(
      `inventory ${inv.cluster}: budgets.hops: an "added" budget for hop "${hop}" needs a hop after it on the token path ${TOKEN_PATH.join(' → ')}`,
    );
  const cluster: Matcher = { name: 'cluster', op: '=', value: inv.cluster };
  const at = (h: string, part: 'sum' | 'count') => ({
    metric: `${LLM_METRICS.ttft}_${part}`,
    matchers: [{ name: 'hop', op: '=' as const, value: h }, cluster],
  });
  const feed = (h: string, ttftGood: number, ttftBad: number): ThresholdInput[] => [
    { selector: at(h, 'count'), goodPerMinute: FEED_RATE, badPerMinute: FEED_RATE },
    {
      selector: at(h, 'sum'),
      goodPerMinute: FEED_RATE * ttftGood,
      badPerMinute: FEED_RATE * ttftBad,
    },
  ];
  return {
    kind: 'threshold',
    query: hopAddedMeanQuery(hop, next, {
      window: scaledRange(ADDED_SLICE_SECONDS, timeScale),
      matchers: `cluster="${inv.cluster}"`,
      by: ['node'],
    }),
    op: 'lte',
    value: thresholdSeconds,
    inputs: [
      // Good: the hop adds half its budget; bad: twice its budget.
      ...feed(hop, FEED_NEXT_TTFT + thresholdSeconds / 2, FEED_NEXT_TTFT + thresholdSeconds * 2),
      ...feed(next, FEED_NEXT_TTFT, FEED_NEXT_TTFT),
    ],
  };
}

export function hopBudgetSlos(inv: Inventory, timeScale = 1): Slo[] {
  const base = inv.slo.runbookBaseUrl.replace(/\/+$/, '');
  return inv.budgets.hops.map((b) => {
    const name = `${b.hop}-${b.signal}-latency${b.node ? `-${b.node.toLowerCase()}` : ''}`;
    const thresholdSeconds = parseDuration(b.threshold) ?? 0;
    const p = `p${Math.round(b.quantile * 1000) / 10}`;
    let sli: Sli;
    let description: string;
    if (b.signal === 'added') {
      sli = addedSli(inv, b.hop, thresholdSeconds, timeScale);
      description = `${b.objective}% of time slices in which the ${b.hop} hop adds at most ${b.threshold} to the first token (mean per node over the slice; inventory budget ${p} < ${b.threshold})`;
    } else {
      const matchers: Matcher[] = [{ name: 'hop', op: '=', value: b.hop }];
      if (b.node) matchers.push({ name: 'node', op: '=', value: b.node });
      sli = {
        kind: 'latency',
        histogram: { metric: SIGNAL_METRIC[b.signal], matchers },
        thresholdSeconds,
      };
      description = `${b.objective}% of requests see ${b.signal} at the ${b.hop} hop${b.node ? ` on ${b.node}` : ''} within ${b.threshold} (${p} budget from the inventory)`;
    }
    return {
      name,
      cluster: inv.cluster,
      service: HOP_SERVICE,
      hop: b.hop,
      description,
      objective: b.objective,
      period: inv.slo.period,
      sli,
      labels: { budget: 'inventory' },
      runbookUrl: `${base}/slo/${name}`,
      alerting: { pageLabels: {}, ticketLabels: {}, missingData: true },
    };
  });
}
