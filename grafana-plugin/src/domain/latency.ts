// Pure assembly of the latency-budget view from Prometheus answers: no IO, so every number the
// page shows can be tested from plain samples.
import { parsePromDuration } from '../api/parseTopology';
import type { HopBudgetSpec } from '../api/controllerTypes';
import type { Sample } from '../api/prometheus';
import { LABEL, RECORD } from './conventions';
import { burnWindowOf, HOP_ROWS } from './queries';
import type { HopRowDef, HopRowId } from './queries';

export interface BurnRate {
  window: string;
  windowSeconds: number;
  value: number;
}

export interface FiringAlert {
  slo: string;
  severity: string;
  long?: string;
  short?: string;
}

export interface SloStatus {
  name: string;
  hop?: string;
  /** Ratio, e.g. 0.99. */
  objective?: number;
  burnRates: BurnRate[];
  /** Share of the period's error budget left, 1 = untouched, ≤ 0 = spent. */
  remaining?: number;
  /** Real seconds of the SLO period (shortened by okome_time_scale in simulations). */
  periodSeconds?: number;
  /** At the current (1h, else shortest) burn rate; 0 when spent, undefined when not burning. */
  timeToExhaustionSeconds?: number;
  firing: FiringAlert[];
  /** Latency SLOs: the bucket bound a request must be under (from the SLI rule). */
  thresholdSeconds?: number;
}

export interface HopLatencyRow {
  def: HopRowDef;
  p50?: number;
  p95?: number;
  p99?: number;
  mean?: number;
  /** Share of the mean request time spent in this hop. */
  share?: number;
  budget?: HopBudgetSpec;
  /** The budget's quantile measured against its threshold; undefined without both. */
  withinBudget?: boolean;
  slo?: SloStatus;
  hasData: boolean;
}

export interface StackSegment {
  id: HopRowId | 'generation';
  label: string;
  seconds: number;
  share: number;
}

export interface LatencyInputs {
  quantiles: Partial<Record<0.5 | 0.95 | 0.99, Sample[]>>;
  means: Sample[];
  e2eMean?: number;
  budgets: HopBudgetSpec[];
  slos: SloInputs;
  /** slo name → latency threshold read from the loaded SLI recording rules. */
  thresholds?: Map<string, number>;
}

export interface SloInputs {
  info: Sample[];
  objective: Sample[];
  remaining: Sample[];
  periodDays: Sample[];
  burnRates: Sample[];
  alerts: Sample[];
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

function byRow(samples: Sample[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples ?? []) {
    const row = s.labels.row;
    if (row && Number.isFinite(s.value)) out.set(row, s.value);
  }
  return out;
}

function bySlo(samples: Sample[]): Map<string, Sample> {
  const out = new Map<string, Sample>();
  for (const s of samples) {
    const slo = s.labels[LABEL.slo];
    if (slo) out.set(slo, s);
  }
  return out;
}

/** Which hop row an SLO measures, from its `hop` label and its name. */
export function rowForSlo(name: string, hop: string | undefined): HopRowId | undefined {
  if (/avail|error|success/i.test(name)) return undefined;
  if (hop === 'ingress' || hop === 'cache' || hop === 'gateway') return hop;
  if (hop === 'engine') {
    if (/inter|itl|tpot|per-token/i.test(name)) return 'engine-inter-token';
    if (/first|ttft/i.test(name)) return 'engine-first-token';
  }
  return undefined;
}

export function assembleSlos(inp: SloInputs): SloStatus[] {
  const names = new Set<string>();
  for (const list of [inp.info, inp.objective, inp.remaining, inp.burnRates]) {
    for (const s of list) if (s.labels[LABEL.slo]) names.add(s.labels[LABEL.slo] as string);
  }
  const info = bySlo(inp.info);
  const objective = bySlo(inp.objective);
  const remaining = bySlo(inp.remaining);
  const days = bySlo(inp.periodDays);
  return [...names].sort().map((name) => {
    const labels = { ...objective.get(name)?.labels, ...info.get(name)?.labels };
    const timeScale = Number(labels[LABEL.timeScale] ?? 1) || 1;
    const burnRates = inp.burnRates
      .filter((s) => s.labels[LABEL.slo] === name && Number.isFinite(s.value))
      .map((s) => {
        const window = burnWindowOf(s.labels.__name__ ?? '') ?? '?';
        return { window, windowSeconds: parsePromDuration(window) ?? Infinity, value: s.value };
      })
      .sort((a, b) => a.windowSeconds - b.windowSeconds);
    const periodDays = days.get(name)?.value;
    const periodSeconds = finite(periodDays) ? (periodDays * 86400) / timeScale : undefined;
    const left = remaining.get(name)?.value;
    const current = burnRates.find((b) => b.window === '1h') ?? burnRates[0];
    let tte: number | undefined;
    if (finite(left) && left <= 0) tte = 0;
    else if (finite(left) && finite(periodSeconds) && current && current.value > 0) {
      tte = (left * periodSeconds) / current.value;
    }
    return {
      name,
      hop: labels[LABEL.hop],
      objective: objective.get(name)?.value,
      burnRates,
      remaining: finite(left) ? left : undefined,
      periodSeconds,
      timeToExhaustionSeconds: tte,
      firing: inp.alerts
        .filter((a) => a.labels[LABEL.slo] === name)
        .map((a) => ({
          slo: name,
          severity: a.labels[LABEL.severity] ?? 'unknown',
          long: a.labels[LABEL.long],
          short: a.labels[LABEL.short],
        })),
    };
  });
}

function budgetFor(def: HopRowDef, budgets: HopBudgetSpec[]): HopBudgetSpec | undefined {
  return budgets.find((b) => b.hop === def.hop && b.signal === def.signal);
}

/** A latency SLO "objective % of requests under T" is the budget "p(objective) < T". */
function budgetFromSlo(def: HopRowDef, slo: SloStatus | undefined): HopBudgetSpec | undefined {
  if (!slo || slo.thresholdSeconds === undefined || slo.objective === undefined) return undefined;
  return {
    hop: def.hop,
    signal: def.signal,
    thresholdSeconds: slo.thresholdSeconds,
    quantile: slo.objective,
    objective: slo.objective * 100,
  };
}

/**
 * Thresholds of latency SLOs from their SLI recording rules: okome-slo counts good requests
 * with the histogram bucket `le="<threshold>"` (or `le=~"2(\.0)?"` for whole seconds).
 */
export function thresholdsFromRules(
  rules: Array<{ name: string; query: string; labels: Record<string, string> }>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rules) {
    const slo = r.labels[LABEL.slo];
    if (!slo || !r.name.startsWith(RECORD.errorRatioPrefix) || out.has(slo)) continue;
    const m = /\ble=~?"(\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(r.query);
    if (m) out.set(slo, Number(m[1]));
  }
  return out;
}

function quantileOf(row: HopLatencyRow, q: number): number | undefined {
  if (q >= 0.99) return row.p99;
  if (q >= 0.95) return row.p95;
  if (q >= 0.5) return row.p50;
  return undefined;
}

export function assembleLatency(inp: LatencyInputs): {
  rows: HopLatencyRow[];
  stack: StackSegment[];
  slos: SloStatus[];
  totalSeconds?: number;
} {
  const p50 = byRow(inp.quantiles[0.5]);
  const p95 = byRow(inp.quantiles[0.95]);
  const p99 = byRow(inp.quantiles[0.99]);
  const means = byRow(inp.means);
  const slos = assembleSlos(inp.slos).map((s) => ({
    ...s,
    thresholdSeconds: inp.thresholds?.get(s.name),
  }));

  // Time a request spends, in token-path order: each hop's own added time, the engine's first
  // token, then the rest of the stream (generation) up to the end-to-end mean.
  const parts = HOP_ROWS.filter((d) => d.id !== 'engine-inter-token')
    .map((d) => ({ id: d.id as StackSegment['id'], label: d.label, seconds: means.get(d.id) }))
    .filter((p): p is { id: StackSegment['id']; label: string; seconds: number } =>
      finite(p.seconds),
    );
  const partsSum = parts.reduce((a, p) => a + p.seconds, 0);
  const total = finite(inp.e2eMean) && inp.e2eMean > 0 ? Math.max(inp.e2eMean, partsSum) : partsSum;
  const segments = [...parts];
  if (finite(inp.e2eMean) && inp.e2eMean > partsSum) {
    segments.push({ id: 'generation', label: 'Token generation', seconds: inp.e2eMean - partsSum });
  }
  const stack = total > 0 ? segments.map((s) => ({ ...s, share: s.seconds / total })) : [];
  const shareOf = new Map(stack.map((s) => [s.id, s.share]));

  const rows = HOP_ROWS.map((def) => {
    const slo = slos.find((s) => rowForSlo(s.name, s.hop) === def.id);
    const row: HopLatencyRow = {
      def,
      p50: p50.get(def.id),
      p95: p95.get(def.id),
      p99: p99.get(def.id),
      mean: means.get(def.id),
      share: shareOf.get(def.id),
      budget: budgetFor(def, inp.budgets) ?? budgetFromSlo(def, slo),
      slo,
      hasData: false,
    };
    row.hasData = [row.p50, row.p95, row.p99, row.mean].some(finite);
    const measured = row.budget ? quantileOf(row, row.budget.quantile) : undefined;
    row.withinBudget =
      row.budget && finite(measured) ? measured <= row.budget.thresholdSeconds : undefined;
    return row;
  });
  return { rows, stack, slos, totalSeconds: total > 0 ? total : undefined };
}
