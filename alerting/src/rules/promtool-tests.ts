// A `promtool test rules` file per cluster that proves, on synthetic series, that each burn
// tier fires just above its threshold and stays quiet just below it, that SLOMetricAbsent fires
// when the SLI's series stop, and that every routing alert fires on its symptom and not
// without it. Pure: returns the test document.
import { ALERT, LABEL } from '../conventions';
import { formatDuration, parseDuration } from '../duration';
import { errorBudget } from '../model';
import type { Selector, Slo } from '../model';
import { num, parseSelector, quote } from '../promql';
import { scaleSeconds, type BurnTier, type WindowPlan } from '../windows';
import { burnAlerts, minEventsFor } from './alerts';
import { missingDataAlerts } from './missing-data';
import type { RoutingAlertMeta } from './routing';
import { ROUTING_TIMING } from './routing';
import { sliSelectors } from './sli';
import type { AlertingRule } from './types';

interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
interface InputSeries {
  series: string;
  values: string;
}
export interface PromtoolTest {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertTest[];
}
export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTest[];
}

/** Go's `humanize` for values ≥ 1, which is all a firing burn alert can show. */
export function humanize(v: number): string {
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (Math.abs(v) >= 1000 && i < prefixes.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${prefixes[i]}`;
}

function seriesText(sel: Selector, extra: Record<string, string> = {}): string {
  const labels = new Map<string, string>();
  for (const m of sel.matchers) {
    if (m.op === '=') labels.set(m.name, m.value);
    else if (m.op === '=~')
      labels.set(m.name, m.value.replace(/\(\\\.0\)\?$/, '').split('|')[0] ?? '');
  }
  for (const [k, v] of Object.entries(extra)) labels.set(k, v);
  const body = [...labels].map(([k, v]) => `${k}=${quote(v)}`).join(',');
  return `${sel.metric}{${body}}`;
}

/**
 * Selectors whose every matcher can be satisfied by one concrete series. A negative matcher is
 * met by leaving its label out (an absent label reads as ""), e.g. `kind!="client_abort"`.
 */
function feedable(sel: Selector): boolean {
  return sel.matchers.every((m) => {
    if (m.op === '=') return true;
    if (m.op === '=~') return /^[a-zA-Z0-9_.:+-]+(\(\\\.0\)\?)?(\|.*)?$/.test(m.value);
    if (m.op === '!=') return m.value !== '';
    try {
      return !new RegExp(`^(?:${m.value})$`).test('');
    } catch {
      return false; // not a JavaScript regex (RE2 only): no series is fed rather than a wrong one
    }
  });
}

const inc = (x: number) => num(Math.round(x * 1e9) / 1e9);

/** A good-events counter at `perStep` per sample that loses one event 3 samples before the end. */
function goodMinusOne(perStep: number, steps: number): string {
  const vals: string[] = [];
  for (let i = 0; i <= steps + 2; i++) vals.push(inc(perStep * i - (i >= steps - 2 ? 1 : 0)));
  return vals.join(' ');
}

/** Input series that give error ratio `e` at `rate` events per interval, or undefined. */
function sliSeries(
  slo: Slo,
  e: number,
  rate: number,
  samples: number,
  tail = '',
): InputSeries[] | undefined {
  const s = sliSelectors(slo);
  const sli = slo.sli;
  const series = (sel: Selector, perStep: number) => ({
    series: seriesText(sel),
    values: `0+${inc(perStep)}x${samples}${tail}`,
  });
  if (sli.kind === 'threshold' && sli.inputs?.length) {
    // Counters per sample interval (the tests' interval is the scaled minute).
    return sli.inputs.map((i) => ({
      series: seriesText(i.selector),
      values: `0+${inc(e > 0 ? i.badPerMinute : i.goodPerMinute)}x${samples}${tail}`,
    }));
  }
  if (sli.kind === 'threshold') {
    const sel = parseSelector(sli.query);
    if (typeof sel === 'string' || !feedable(sel)) return undefined;
    const good = sli.op === 'gte' || sli.op === 'gt' ? sli.value * 2 + 1 : sli.value / 2 - 1;
    const bad = sli.op === 'gte' || sli.op === 'gt' ? sli.value / 2 - 1 : sli.value * 2 + 1;
    const v = e > 0 ? bad : good;
    return [
      {
        series: seriesText({
          ...sel,
          matchers: [...sel.matchers, { name: 'cluster', op: '=', value: slo.cluster }],
        }),
        values: `${inc(v)}x${samples}${tail}`,
      },
    ];
  }
  const total = s.total as Selector;
  if (!feedable(total) || (s.bad && !feedable(s.bad)) || (s.good && !feedable(s.good)))
    return undefined;
  const out = [series(total, rate)];
  if (s.bad) out.push(series(s.bad, rate * e));
  if (s.good) out.push(series(s.good, rate * (1 - e)));
  return out;
}

function expected(rule: AlertingRule, value?: number): ExpAlert {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations ?? {}))
    annotations[k] =
      value === undefined ? v : v.replace('{{ $value | humanize }}', humanize(value));
  return { exp_labels: { ...(rule.labels ?? {}) }, exp_annotations: annotations };
}

function sloTests(
  slo: Slo,
  others: Slo[],
  planner: (slo: Slo, timeScale: number) => WindowPlan,
  timeScale: number,
): PromtoolTest[] {
  const plan = planner(slo, timeScale);
  const interval = scaleSeconds(60, timeScale, 1);
  const E = evalSeconds(timeScale);
  const I = formatDuration(interval);
  const b = errorBudget(slo);
  const alerts = burnAlerts(slo, plan, timeScale);
  const tests: PromtoolTest[] = [];
  const firstLong = plan.tiers[0]?.long.rangeSeconds ?? 3600;
  const maxMin = Math.max(1, ...plan.tiers.map((t) => minEventsFor(slo, t)));
  /** Events per sample so every long window holds twice the guard's minimum. */
  const rateFor = (samplesInLong: number) => Math.max(100, Math.ceil((2 * maxMin) / samplesInLong));
  const rate = rateFor(firstLong / interval);
  const reachable = (t: BurnTier) => t.factor * b < 1;

  // A tier's test samples at a sixth of its short window: every tier that may fire has a
  // short window at least that long, and multi-day tests stay small.
  const burnTest = (name: string, e: number, at: number, step: number, longSeconds: number) => {
    const samples = Math.ceil(at / step) + 5;
    const input = sliSeries(slo, e, rateFor(longSeconds / step), samples);
    if (!input) return;
    const firing = plan.tiers
      .map((t, i) => ({ t, rule: alerts[i] as AlertingRule }))
      .filter(({ t }) => reachable(t) && e > t.factor * b);
    tests.push({
      name: `${slo.name}: ${name}`,
      interval: formatDuration(step),
      input_series: input,
      alert_rule_test: [
        {
          eval_time: formatDuration(at),
          alertname: ALERT.burn,
          exp_alerts: firing.map(({ rule }) =>
            expected(rule, slo.sli.kind === 'threshold' ? 1 / b : e / b),
          ),
        },
      ],
    });
  };

  if (slo.sli.kind === 'threshold') {
    const at = roundUp(firstLong + interval, E);
    burnTest('every time slice bad fires each reachable tier', 1, at, interval, firstLong);
    burnTest('every time slice good stays quiet', 0, at, interval, firstLong);
  } else {
    plan.tiers.forEach((tier) => {
      if (!reachable(tier)) return;
      const step = Math.max(
        interval,
        Math.floor(tier.short.rangeSeconds / 6 / interval) * interval,
      );
      const at = roundUp(tier.long.rangeSeconds + step, E);
      const label = `${tier.severity} ${num(tier.factor)}x over ${tier.long.nominal}/${tier.short.nominal}`;
      const L = tier.long.rangeSeconds;
      burnTest(
        `${label} fires just above its threshold`,
        Math.min(1, tier.factor * b * 1.05),
        at,
        step,
        L,
      );
      burnTest(
        `${label} stays quiet just below its threshold`,
        tier.factor * b * 0.95,
        at,
        step,
        L,
      );
    });
  }

  // Low traffic: one failure among fewer events than the guard asks for must not page,
  // although its error ratio alone is far above every threshold.
  const fast = plan.tiers[0];
  const guard = fast ? minEventsFor(slo, fast) : 0;
  if (fast && slo.sli.kind !== 'threshold' && guard > 2) {
    const at = roundUp(fast.long.rangeSeconds + interval, E);
    const steps = Math.round(at / interval);
    const perStep = (Math.floor((guard - 1) * 0.8) * interval) / fast.long.rangeSeconds;
    const input = sliSeries(slo, 0, perStep, steps + 3);
    const s = sliSelectors(slo);
    if (input && (s.bad || s.good)) {
      const failed = s.bad ? `0x${steps - 3} 1x5` : undefined;
      const patched = input.map((x) => {
        if (s.bad && x.series === seriesText(s.bad)) return { ...x, values: failed as string };
        // good = total − 1 from the failure on: shift the good counter down by one.
        if (!s.bad && s.good && x.series === seriesText(s.good))
          return { ...x, values: goodMinusOne(perStep, steps) };
        return x;
      });
      tests.push({
        name: `${slo.name}: one failure among fewer than ${guard} events does not page (minimum-events guard)`,
        interval: I,
        input_series: patched,
        alert_rule_test: [{ eval_time: formatDuration(at), alertname: ALERT.burn, exp_alerts: [] }],
      });
    }
  }

  const absent = missingDataAlerts(slo, plan, timeScale)[0];
  if (absent) {
    const stopAt = Math.max(10, Math.ceil((2 * E) / interval));
    const input = sliSeries(slo, 0, rate, stopAt, ' stale');
    const forS = parseDuration(absent.for ?? '0s') ?? 0;
    const at = roundUp((stopAt + 2) * interval + forS, E) + 2 * E;
    const samples = Math.ceil(at / interval) + 2;
    const rest: InputSeries[] = [];
    const alsoAbsent: ExpAlert[] = [];
    // SLOs can share input series (two hops' added latency both read the hop between them):
    // each series is fed once, and an SLO that shares one with the SLO under test loses it too.
    const fed = new Set((input ?? []).map((x) => x.series));
    const stopped = new Set(fed);
    for (const o of others) {
      if (o === slo || !o.alerting.missingData) continue;
      const series = sliSeries(o, 0, rate, samples);
      if (series) {
        if (series.some((x) => stopped.has(x.series))) {
          const a = missingDataAlerts(o, planner(o, timeScale), timeScale)[0];
          if (a) alsoAbsent.push(expected(a));
        }
        for (const x of series) {
          if (fed.has(x.series)) continue;
          fed.add(x.series);
          rest.push(x);
        }
      } else {
        const a = missingDataAlerts(o, planner(o, timeScale), timeScale)[0];
        if (a) alsoAbsent.push(expected(a));
      }
    }
    if (input)
      tests.push({
        name: `${slo.name}: SLOMetricAbsent fires when the SLI series stop (for ${absent.for})`,
        interval: I,
        input_series: [...input, ...rest],
        alert_rule_test: [
          { eval_time: formatDuration(E), alertname: ALERT.absent, exp_alerts: [] },
          {
            eval_time: formatDuration(at),
            alertname: ALERT.absent,
            exp_alerts: [expected(absent), ...alsoAbsent],
          },
        ],
      });
  }
  return tests;
}

/**
 * Rules are evaluated every (scaled) 3 hours in the tests: burn alerts have no `for`, so only the
 * value at eval_time matters, and promtool's cost grows with evaluations × rules.
 */
export function evalSeconds(timeScale: number): number {
  return scaleSeconds(3 * 3600, timeScale, 1);
}
const roundUp = (x: number, step: number) => Math.ceil(x / step) * step;
/** Routing inputs are written for 40 samples; tests need them to last past eval_time. */
const longer =
  (samples: number) =>
  (s: InputSeries): InputSeries => ({
    ...s,
    values: s.values.replace(/x40$/, `x${samples}`),
  });

function routingTests(
  meta: RoutingAlertMeta[],
  rules: AlertingRule[],
  timeScale: number,
): PromtoolTest[] {
  const interval = scaleSeconds(60, timeScale, 1);
  const I = formatDuration(interval);
  const range = Math.max(
    scaleSeconds(ROUTING_TIMING.latencyRange, timeScale, 5),
    scaleSeconds(ROUTING_TIMING.failureRange, timeScale, 5),
  );
  return meta.flatMap((m, i) => {
    const rule = rules[i] as AlertingRule;
    const forS = parseDuration(rule.for ?? '0s') ?? 0;
    const E = evalSeconds(timeScale);
    const atS = roundUp(range + forS, E) + 2 * E;
    const at = formatDuration(atS);
    const extend = longer(Math.ceil(atS / interval) + 5);
    // A backend in several pools (Garage AI's cross-region failover) alerts once per pool.
    const exp = meta
      .map((other, j) => ({ other, r: rules[j] as AlertingRule }))
      .filter(({ other }) => other.alert === m.alert && other.backend === m.backend)
      .map(({ other, r }) => {
        const e = expected(r);
        if (m.alert === ALERT.gpuMemoryOverBudget) {
          const engine = /engine="([^"]+)"/.exec(other.fire[0]?.series ?? '')?.[1];
          if (engine) e.exp_labels[LABEL.engine] = engine;
        }
        return e;
      });
    const title = `${m.alert} ${m.pool}/${m.backend} (${m.action})`;
    return [
      {
        name: `${title} fires on its symptom`,
        interval: I,
        input_series: m.fire.map(extend),
        alert_rule_test: [{ eval_time: at, alertname: m.alert, exp_alerts: exp }],
      },
      {
        name: `${title} stays quiet when healthy`,
        interval: I,
        input_series: m.quiet.map(extend),
        alert_rule_test: [{ eval_time: at, alertname: m.alert, exp_alerts: [] }],
      },
    ];
  });
}

export function promtoolTests(input: {
  slos: Slo[];
  planner: (slo: Slo, timeScale: number) => WindowPlan;
  timeScale: number;
  ruleFiles: string[];
  routing?: { meta: RoutingAlertMeta[]; rules: AlertingRule[] };
}): PromtoolTestFile {
  const tests = input.slos.flatMap((slo) =>
    sloTests(slo, input.slos, input.planner, input.timeScale),
  );
  if (input.routing)
    tests.push(...routingTests(input.routing.meta, input.routing.rules, input.timeScale));
  return {
    rule_files: input.ruleFiles,
    evaluation_interval: formatDuration(evalSeconds(input.timeScale)),
    tests,
  };
}
