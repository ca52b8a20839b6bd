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
import { TAPPED_SERVICE_HOPS } from '@okome/provisioning';
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

/** redis_exporter's per-command counters (the Redis collector keeps its names). */
const REDIS_COMMAND_SECONDS = 'redis_commands_duration_seconds_total';
const REDIS_COMMANDS = 'redis_commands_total';

/**
 * The token path of this cluster: the hops of TOKEN_PATH that some tapped service provides.
 * Kage Bunshin has no cache hop, so its ingress is followed by its engines, not by a cache
 * whose series would never exist.
 */
export function tokenPathOf(inv: Inventory): string[] {
  const present = new Set(
    inv.nodes.flatMap((n) => n.services.map((s) => TAPPED_SERVICE_HOPS[s.kind])),
  );
  return TOKEN_PATH.filter((h) => present.has(h));
}

function addedSli(inv: Inventory, hop: string, thresholdSeconds: number, timeScale: number): Sli {
  const path = tokenPathOf(inv);
  const i = path.indexOf(hop);
  const next = i >= 0 ? path[i + 1] : undefined;
  const hasRedis = inv.nodes.some((n) => n.services.some((s) => s.kind === 'redis'));
  if (!next && i < 0 && hop === 'cache' && hasRedis)
    return redisCacheSli(inv, thresholdSeconds, timeScale);
  if (!next)
    throw new Error(
      `inventory ${inv.cluster}: budgets.hops: an "added" budget for hop "${hop}" needs a hop after it on the cluster's token path ${path.join(' → ') || '(no tapped services)'}`,
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

/**
 * A cache hop that is only Redis (BlackRoad: no stream worker, so no tap in front of it): what
 * the cache adds to a request is its lookup, measured by the Redis collector as the mean command
 * time per instance (redis_exporter's commands duration ÷ commands), worst instance per slice.
 * Server-side time only: the round trip to Redis is not in it.
 */
function redisCacheSli(inv: Inventory, thresholdSeconds: number, timeScale: number): Sli {
  const w = scaledRange(ADDED_SLICE_SECONDS, timeScale);
  const c = `cluster="${inv.cluster}"`;
  const cluster: Matcher = { name: 'cluster', op: '=', value: inv.cluster };
  const duration = { metric: REDIS_COMMAND_SECONDS, matchers: [cluster] };
  const calls = { metric: REDIS_COMMANDS, matchers: [cluster] };
  return {
    kind: 'threshold',
    query: `sum by (instance) (rate(${REDIS_COMMAND_SECONDS}{${c}}[${w}])) / (sum by (instance) (rate(${REDIS_COMMANDS}{${c}}[${w}])) > 0)`,
    op: 'lte',
    value: thresholdSeconds,
    inputs: [
      { selector: calls, goodPerMinute: FEED_RATE, badPerMinute: FEED_RATE },
      {
        selector: duration,
        goodPerMinute: (FEED_RATE * thresholdSeconds) / 2,
        badPerMinute: FEED_RATE * thresholdSeconds * 2,
      },
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
      description =
        sli.kind === 'threshold' && sli.inputs?.[0]?.selector.metric === REDIS_COMMANDS
          ? `${b.objective}% of time slices in which every Redis of the cache hop answers within ${b.threshold} on average (inventory budget ${p} < ${b.threshold}; no tap in front of this cache)`
          : `${b.objective}% of time slices in which the ${b.hop} hop adds at most ${b.threshold} to the first token (mean per node over the slice; inventory budget ${p} < ${b.threshold})`;
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
