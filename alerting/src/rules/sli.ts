// SLI recording rules: the error ratio per window as a ratio of sums (never an average of
// short ratios), the burn rate, and the event count the minimum-events guard reads. Threshold
// SLIs record a per-evaluation verdict (good time slice or not) and average it per window.
import { RECORD } from '../conventions';
import type { Selector, Sli, Slo } from '../model';
import {
  checked,
  formatSelector,
  leMatcher,
  num,
  renamed,
  sumIncrease,
  sumRate,
  withMatcher,
} from '../promql';
import { errorBudget } from '../model';
import type { WindowPlan } from '../windows';
import { sloLabels, sloMatcher } from './labels';
import type { RecordingRule } from './types';

/** The SLI's selectors, pinned to the SLO's cluster (every target carries `cluster`). */
export function sliSelectors(slo: Slo): { total?: Selector; good?: Selector; bad?: Selector } {
  const pin = (s: Selector) => withMatcher(s, 'cluster', slo.cluster);
  const sli = slo.sli;
  switch (sli.kind) {
    case 'events':
      return {
        total: pin(sli.total),
        good: sli.good && pin(sli.good),
        bad: sli.bad && pin(sli.bad),
      };
    case 'latency': {
      const base = pin(sli.histogram);
      const bucket = renamed(base, `${base.metric}_bucket`);
      const le = leMatcher(sli.thresholdSeconds);
      return {
        total: renamed(base, `${base.metric}_count`),
        good: withMatcher(bucket, 'le', le.value, le.op),
      };
    }
    case 'threshold':
      return {};
  }
}

function thresholdGood(sli: Extract<Sli, { kind: 'threshold' }>): string {
  const worst = sli.op === 'gte' || sli.op === 'gt' ? 'min' : 'max';
  const op = { gte: '>=', gt: '>', lte: '<=', lt: '<' }[sli.op];
  return `(${worst}(${sli.query}) ${op} bool ${num(sli.value)})`;
}

/** Error ratio over one range, as PromQL. */
export function errorRatioExpr(slo: Slo, range: string): string {
  const s = sliSelectors(slo);
  if (slo.sli.kind === 'threshold')
    // Time slices weigh the same, so averaging the per-evaluation verdict is exact here.
    return checked(`1 - avg_over_time(${RECORD.timesliceGood}${sloMatcher(slo)}[${range}])`);
  const total = sumRate(s.total as Selector, range);
  if (s.bad) return checked(`(${sumRate(s.bad, range)} or vector(0)) / ${total}`);
  return checked(`(${total} - ${sumRate(s.good as Selector, range)}) / ${total}`);
}

/** Selector of the series whose count is "events" (requests), if the SLI has one. */
export function eventsSelector(slo: Slo): Selector | undefined {
  return sliSelectors(slo).total;
}

export function sliRules(slo: Slo, plan: WindowPlan, timeScale: number): RecordingRule[] {
  const labels = sloLabels(slo, timeScale);
  const sel = sloMatcher(slo);
  const budget = num(errorBudget(slo));
  const rules: RecordingRule[] = [];
  if (slo.sli.kind === 'threshold')
    rules.push({ record: RECORD.timesliceGood, expr: checked(thresholdGood(slo.sli)), labels });
  for (const w of plan.all) {
    rules.push({
      record: RECORD.errorRatio(w.nominal),
      expr: errorRatioExpr(slo, w.range),
      labels,
    });
  }
  for (const w of plan.all) {
    rules.push({
      record: RECORD.burnRate(w.nominal),
      expr: checked(`${RECORD.errorRatio(w.nominal)}${sel} / ${budget}`),
      labels,
    });
  }
  const events = eventsSelector(slo);
  if (events) {
    const longs = [...new Map(plan.tiers.map((t) => [t.long.nominal, t.long])).values()];
    for (const w of longs)
      rules.push({
        record: RECORD.events(w.nominal),
        expr: checked(sumIncrease(events, w.range)),
        labels,
      });
  }
  return rules;
}

export { formatSelector };
