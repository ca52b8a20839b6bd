// Checks on a mapped SLO that the field readers cannot make alone. Paths are relative to the
// SLO, so the spec reader can place each message on its line.
import { LABEL } from './conventions';
import type { Slo } from './model';
import { promqlProblem } from './promql';
import { PromqlError } from './promql';
import { sliRules } from './rules/sli';
import { planWindows } from './windows';

export interface SloProblem {
  path: (string | number)[];
  message: string;
}

const RESERVED = new Set<string>([
  'alertname',
  LABEL.slo,
  LABEL.service,
  LABEL.hop,
  LABEL.cluster,
  LABEL.severity,
  LABEL.long,
  LABEL.short,
  LABEL.timeScale,
  LABEL.action,
  LABEL.pool,
  LABEL.backend,
]);

export function checkSlo(slo: Slo): SloProblem[] {
  const problems: SloProblem[] = [];
  for (const k of Object.keys(slo.labels))
    if (RESERVED.has(k))
      problems.push({ path: ['labels', k], message: `label "${k}" is set by okome-slo` });
  for (const [key, labels] of [
    ['pageLabels', slo.alerting.pageLabels],
    ['ticketLabels', slo.alerting.ticketLabels],
  ] as const)
    for (const k of Object.keys(labels))
      if (RESERVED.has(k) && k !== LABEL.severity)
        problems.push({ path: ['alerting', key, k], message: `label "${k}" is set by okome-slo` });
  if (slo.sli.kind === 'threshold') {
    const p = promqlProblem(slo.sli.query);
    if (p)
      problems.push({ path: ['sli', 'threshold', 'query'], message: `not valid PromQL: ${p}` });
  }
  if (slo.sli.kind === 'events') {
    const total = slo.sli.total.metric;
    const other = (slo.sli.bad ?? slo.sli.good)?.metric ?? '';
    for (const [k, m] of [
      ['total', total],
      [slo.sli.bad ? 'bad' : 'good', other],
    ] as const)
      if (!/_total$|_count$|_bucket$/.test(m))
        problems.push({
          path: ['sli', 'events', k],
          message: `"${m}" does not look like a counter (expected a name ending in _total or _count)`,
        });
  }
  if (!problems.length) {
    // Dry run of the generator, as sloth's validate does: anything it cannot build is reported.
    try {
      sliRules(slo, planWindows(slo.period, 1), 1);
    } catch (err) {
      if (!(err instanceof PromqlError)) throw err;
      problems.push({ path: ['sli'], message: err.message });
    }
  }
  return problems;
}
