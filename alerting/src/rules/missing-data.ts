// SLOMetricAbsent: the SLI's series vanished, so burn alerts cannot fire. Its `for` is the
// time the fastest tier needs to fire on a full outage (Pyrra's AbsentDuration), at least 1m.
import { ALERT, LABEL } from '../conventions';
import { humanDuration } from '../duration';
import { errorBudget } from '../model';
import type { Selector, Slo } from '../model';
import { checked, formatSelector } from '../promql';
import { scaledFor } from '../windows';
import type { WindowPlan } from '../windows';
import { sloLabels } from './labels';
import { sliSelectors } from './sli';
import type { AlertingRule } from './types';

export function absentForSeconds(slo: Slo, plan: WindowPlan): number {
  const fastest = plan.tiers[0];
  if (!fastest) return 60;
  return Math.max(60, Math.ceil(fastest.factor * errorBudget(slo) * fastest.long.nominalSeconds));
}

export function absentExpr(slo: Slo): string {
  const sli = slo.sli;
  let selectors: Selector[];
  if (sli.kind !== 'threshold') {
    const s = sliSelectors(slo);
    selectors = [s.total, s.good].filter((x) => x !== undefined);
  } else if (sli.inputs?.length) {
    // A threshold query with known inputs (a hop's added latency) has no sample while the hop
    // is idle; only its counters vanishing means the SLI cannot be measured.
    selectors = sli.inputs.map((i) => i.selector);
  } else return checked(`max(absent(${sli.query}))`);
  const parts = selectors.map((x) => `absent(${formatSelector(x)})`);
  // max() folds the absent() series (whose labels come from the matchers) into one alert.
  return checked(`max(${parts.join(' or ')})`);
}

export function missingDataAlerts(slo: Slo, plan: WindowPlan, timeScale: number): AlertingRule[] {
  if (!slo.alerting.missingData) return [];
  const forSeconds = absentForSeconds(slo, plan);
  return [
    {
      alert: ALERT.absent,
      expr: absentExpr(slo),
      for: scaledFor(forSeconds, timeScale),
      labels: {
        ...sloLabels(slo, timeScale),
        ...slo.alerting.ticketLabels,
        [LABEL.severity]: 'ticket',
      },
      annotations: {
        summary: `${slo.name}: SLI series missing for ${humanDuration(forSeconds)} — burn-rate alerts for this SLO cannot fire.`,
        description: `No samples for the SLI of ${slo.name} (${slo.service}). Check the exporter targets and the selector in the SLO spec.`,
        runbook_url: slo.runbookUrl,
      },
    },
  ];
}
