// Metadata series: objective, budget, period, remaining budget and an info series, so
// dashboards need no copy of the spec.
import { LABEL, RECORD } from '../conventions';
import { parseDuration } from '../duration';
import { errorBudget } from '../model';
import type { Slo } from '../model';
import { checked, num } from '../promql';
import type { WindowPlan } from '../windows';
import { sloLabels, sloMatcher } from './labels';
import type { RecordingRule } from './types';

export function metadataRules(slo: Slo, plan: WindowPlan, timeScale: number): RecordingRule[] {
  const labels = sloLabels(slo, timeScale);
  const budget = num(errorBudget(slo));
  const days = num((parseDuration(slo.period) ?? 0) / 86400);
  return [
    { record: RECORD.objective, expr: checked(`vector(${num(slo.objective / 100)})`), labels },
    { record: RECORD.errorBudget, expr: checked(`vector(${budget})`), labels },
    { record: RECORD.periodDays, expr: checked(`vector(${days})`), labels },
    {
      record: RECORD.budgetRemaining,
      expr: checked(`1 - ${RECORD.errorRatio(plan.period.nominal)}${sloMatcher(slo)} / ${budget}`),
      labels,
    },
    {
      record: RECORD.info,
      expr: checked('vector(1)'),
      labels: {
        ...labels,
        [LABEL.objective]: num(slo.objective),
        [LABEL.period]: slo.period,
        [LABEL.sliKind]: slo.sli.kind,
      },
    },
  ];
}
