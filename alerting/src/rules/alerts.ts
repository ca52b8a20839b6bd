// Multiwindow multi-burn-rate alerts (SRE Workbook ch. 5, table 5-8 plus the 3×/1d tier),
// one ErrorBudgetBurn per tier as in Pyrra so on-call can tell which window pair fired.
import { ALERT, LABEL, RECORD } from '../conventions';
import { formatDuration, humanDuration, parseDuration } from '../duration';
import { errorBudget } from '../model';
import type { Slo } from '../model';
import { checked, num } from '../promql';
import type { BurnTier, WindowPlan } from '../windows';
import { sloLabels, sloMatcher } from './labels';
import { eventsSelector } from './sli';
import type { AlertingRule } from './types';

/**
 * Events a long window must hold before its tier may fire. By default the smallest count at
 * which one failed request alone stays under the tier's threshold, so a cluster that serves a
 * few requests an hour never pages on a single failure (Workbook, "Low-traffic services").
 */
export function minEventsFor(slo: Slo, tier: BurnTier): number {
  if (slo.alerting.minEvents !== undefined) return slo.alerting.minEvents;
  return Math.ceil(1 / (tier.factor * errorBudget(slo)) - 1e-9);
}

/** Share of the period's budget a tier spends before it fires, in percent. */
export function budgetSpentPercent(slo: Slo, tier: BurnTier): number {
  const period = parseDuration(slo.period) ?? 1;
  return (tier.factor * tier.long.nominalSeconds * 100) / period;
}

export function exhaustionSeconds(slo: Slo, tier: BurnTier): number {
  return (parseDuration(slo.period) ?? 0) / tier.factor;
}

function pct(n: number): string {
  return n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

export function burnAlerts(slo: Slo, plan: WindowPlan, timeScale: number): AlertingRule[] {
  const labels = sloLabels(slo, timeScale);
  const sel = sloMatcher(slo);
  const events = eventsSelector(slo);
  return plan.tiers.map((tier) => {
    const f = num(tier.factor);
    const parts = [
      `${RECORD.burnRate(tier.long.nominal)}${sel} > ${f}`,
      `${RECORD.burnRate(tier.short.nominal)}${sel} > ${f}`,
    ];
    const min = minEventsFor(slo, tier);
    if (events && min > 0) parts.push(`${RECORD.events(tier.long.nominal)}${sel} >= ${min}`);
    const exhaustion = exhaustionSeconds(slo, tier);
    const scaleNote =
      timeScale === 1
        ? ''
        : ` Time-scaled ×${timeScale} for simulation: windows are ${tier.long.range}/${tier.short.range}.`;
    return {
      alert: ALERT.burn,
      expr: checked(parts.join('\nand\n')),
      labels: {
        ...labels,
        ...(tier.severity === 'page' ? slo.alerting.pageLabels : slo.alerting.ticketLabels),
        [LABEL.severity]: tier.severity,
        [LABEL.long]: tier.long.nominal,
        [LABEL.short]: tier.short.nominal,
        [LABEL.exhaustion]: formatDuration(exhaustion),
      },
      annotations: {
        summary:
          `${slo.name}: error budget burning ≥${f}× over ${tier.long.nominal} and ${tier.short.nominal} — ` +
          `${pct(budgetSpentPercent(slo, tier))}% of the ${slo.period} budget gone, all of it in ${humanDuration(exhaustion)} at this rate.`,
        description:
          `${slo.service}${slo.hop ? ` (${slo.hop} hop)` : ''}: burn rate {{ $value | humanize }}× over ${tier.long.nominal}; ` +
          `objective ${num(slo.objective)}% over ${slo.period}.${scaleNote}`,
        runbook_url: slo.runbookUrl,
      },
    };
  });
}
