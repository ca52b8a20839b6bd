// Thresholds come from the inventory the dashboards are generated for (budgets.hops, slo), so a
// panel turns red exactly where the alert rules of the same inventory start to count errors.
import type { HopBudget, Inventory } from '@okome/provisioning';
import { durationMs } from '@okome/provisioning';
import { steps } from './builder';
import type { Threshold } from './builder';

export function budgetSeconds(b: HopBudget): number {
  return durationMs(b.threshold) / 1000;
}

export function findBudget(
  inv: Inventory,
  hop: HopBudget['hop'],
  signal: HopBudget['signal'],
): HopBudget | undefined {
  return inv.budgets.hops.find((b) => b.hop === hop && b.signal === signal);
}

/** Green below the budget, orange from 80 % of it, red above it. */
export function latencyThresholds(seconds: number | undefined): Threshold[] {
  if (seconds === undefined) return steps('green');
  return steps('green', [round(seconds * 0.8), 'orange'], [seconds, 'red']);
}

/** Red below the availability objective, green at or above it. */
export function ratioFloor(objectivePercent: number): Threshold[] {
  return steps('red', [round(objectivePercent / 100), 'green']);
}

export function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

export function describeBudget(b: HopBudget): string {
  const where = b.node ? ` on ${b.node}` : '';
  return `${b.hop} ${b.signal}${where} p${Math.round(b.quantile * 1000) / 10} < ${b.threshold} (${b.objective}% of requests)`;
}
