// The drill report (pure): pass/fail per hypothesis, the three times, and the score per scenario.
import type {
  AbortReason,
  DrillRecord,
  DrillReport,
  DrillStatus,
  HypothesisResult,
  Scenario,
} from './types';

const secondsBetween = (a?: string | null, b?: string | null): number | null =>
  a && b ? Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000) : null;

export function buildReport(rec: DrillRecord, scenario: Scenario): DrillReport {
  const hyps: HypothesisResult[] = [];
  const injected = rec.actions.some((a) => a.state !== 'intent');
  for (const p of rec.probes) {
    const spec = scenario.hypothesis.find((h) => h.name === p.name);
    const tol = `[${p.min ?? '-∞'}, ${p.max ?? '+∞'}]`;
    const passed = p.before !== false && p.during !== false && (!injected || p.after === true);
    const where = [
      p.before === false ? 'before' : '',
      p.during === false ? `during (over ${(spec?.graceMs ?? 0) / 1000}s grace)` : '',
      injected && p.after !== true ? 'after' : '',
    ]
      .filter(Boolean)
      .join(', ');
    hyps.push({
      name: `steady state: ${p.name}`,
      passed,
      detail: passed ? `within ${tol}` : `outside ${tol} ${where}; last ${p.last ?? 'no data'}`,
    });
  }
  for (const a of rec.alerts)
    if (a.required || a.firedAt)
      hyps.push({
        name: `alert ${a.alertname} fires`,
        passed: !!a.firedAt || !a.required,
        detail: a.firedAt
          ? `fired at ${a.firedAt}`
          : 'did not fire: the alerting for this failure is broken',
      });
  for (const r of rec.routing)
    hyps.push({
      name: `routing ${r.pool}/${r.backend} → ${r.states.join('|')}`,
      passed: !!r.changedAt,
      detail: r.changedAt
        ? `changed at ${r.changedAt}`
        : `did not change (last seen ${r.observed ?? 'enabled'})`,
    });
  hyps.push({
    name: 'rollback complete',
    passed: rec.rollbackDone,
    detail: rec.rollbackDone ? 'every fault undone, silences expired' : (rec.error ?? 'incomplete'),
  });
  if (injected)
    hyps.push({
      name: 'cluster recovered',
      passed: !!rec.events.recovered,
      detail: rec.events.recovered
        ? `at ${rec.events.recovered}`
        : `steady state not back within ${scenario.recoveryWithinMs / 1000}s`,
    });

  let status: Exclude<DrillStatus, 'running'>;
  if (rec.error) status = 'error';
  else if (rec.abort) status = 'aborted';
  else status = hyps.every((h) => h.passed) ? 'passed' : 'failed';
  const failed = hyps.filter((h) => !h.passed).map((h) => h.name);
  const summary =
    status === 'passed'
      ? 'every hypothesis held'
      : status === 'aborted'
        ? `aborted (${rec.abort?.reason}): ${rec.abort?.detail}`
        : status === 'error'
          ? `error: ${rec.error}`
          : `failed: ${failed.join('; ')}`;
  return {
    status,
    timeToDetectSeconds: secondsBetween(rec.events.fault, rec.events.detect),
    timeToRerouteSeconds: secondsBetween(rec.events.fault, rec.events.reroute),
    timeToRecoverSeconds: secondsBetween(rec.events.rollback, rec.events.recovered),
    durationSeconds: secondsBetween(rec.createdAt, rec.endedAt) ?? 0,
    clientErrors: { failed: null, requests: null, ratio: null },
    budgetSpent: null,
    hypotheses: hyps,
    summary,
  };
}

/** Aborts that say nothing about the cluster's resilience do not count towards the score. */
const NEUTRAL_ABORTS: readonly AbortReason[] = [
  'operator',
  'kill-switch',
  'controller-stopping',
  'controller-restart',
  'prometheus-unreachable',
];

/**
 * Points of one finished drill: passed 100, aborted by a guard (the fault hurt more than the
 * hypothesis allows) 25, failed or error 0; null when it does not count.
 */
export function drillPoints(rec: Pick<DrillRecord, 'status' | 'abort'>): number | null {
  switch (rec.status) {
    case 'passed':
      return 100;
    case 'failed':
    case 'error':
      return 0;
    case 'aborted':
      return rec.abort && NEUTRAL_ABORTS.includes(rec.abort.reason) ? null : 25;
    default:
      return null;
  }
}

/** Mean points of the last `window` drills that count, newest first; null before any. */
export function scenarioScore(
  history: Pick<DrillRecord, 'status' | 'abort'>[],
  window = 5,
): number | null {
  const pts = history
    .map(drillPoints)
    .filter((p): p is number => p !== null)
    .slice(-window);
  if (!pts.length) return null;
  return Math.round(pts.reduce((a, b) => a + b, 0) / pts.length);
}
