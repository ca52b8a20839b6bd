// Alert windows as data (sloth's google-30d.yaml, pyrra's Windows()): the Workbook's four
// multiwindow multi-burn-rate tiers, defined for a 28-day period and stretched with the SLO
// period so every tier burns the same share of budget. `--time-scale` then divides every
// window and `for` for the simulator; names keep the period-scaled (nominal) window.
import { formatDuration, parseDuration } from './duration';
import type { Severity } from './conventions';

/** Smallest range a scaled window may have: a rate() needs a few scrapes inside it. */
export const MIN_RANGE_SECONDS = 5;
export const BASE_PERIOD_SECONDS = 28 * 86400;

export interface Window {
  /** Name in rule names and labels, e.g. "1h" (period-scaled, not time-scaled). */
  nominal: string;
  nominalSeconds: number;
  /** Range written into PromQL after --time-scale, e.g. "1m". */
  range: string;
  rangeSeconds: number;
}

export interface BurnTier {
  severity: Severity;
  factor: number;
  short: Window;
  long: Window;
}

const TIERS: readonly { severity: Severity; factor: number; short: number; long: number }[] = [
  { severity: 'page', factor: 14.4, short: 5 * 60, long: 3600 },
  { severity: 'page', factor: 6, short: 30 * 60, long: 6 * 3600 },
  { severity: 'ticket', factor: 3, short: 2 * 3600, long: 86400 },
  { severity: 'ticket', factor: 1, short: 6 * 3600, long: 3 * 86400 },
];

export interface WindowPlan {
  period: Window;
  tiers: BurnTier[];
  /** Every distinct window, shortest first, period last. */
  all: Window[];
  timeScale: number;
}

/** Scales a production duration by --time-scale, keeping whole seconds and a floor. */
export function scaleSeconds(seconds: number, timeScale: number, floor = 1): number {
  return Math.max(floor, Math.round(seconds / timeScale));
}

export function scaledRange(seconds: number, timeScale: number): string {
  return formatDuration(scaleSeconds(seconds, timeScale, MIN_RANGE_SECONDS));
}

/**
 * A time-scaled `for` is never shorter than this: the simulator scrapes and evaluates every
 * second, and one scrape that times out on a loaded machine must not fire a routing alert.
 */
export const MIN_SCALED_FOR_SECONDS = 3;

/** `for` durations: 0 stays 0 (no `for`). */
export function scaledFor(seconds: number, timeScale: number): string {
  if (seconds <= 0) return '0s';
  const floor = timeScale > 1 ? Math.min(seconds, MIN_SCALED_FOR_SECONDS) : 1;
  return formatDuration(scaleSeconds(seconds, timeScale, floor));
}

function window(nominalSeconds: number, timeScale: number): Window {
  const rangeSeconds = scaleSeconds(nominalSeconds, timeScale, MIN_RANGE_SECONDS);
  return {
    nominal: formatDuration(nominalSeconds),
    nominalSeconds,
    range: formatDuration(rangeSeconds),
    rangeSeconds,
  };
}

/** Windows for an SLO period (e.g. "28d") at a time scale (1 = production). */
export function planWindows(period: string, timeScale = 1): WindowPlan {
  const periodSeconds = parseDuration(period);
  if (periodSeconds === undefined || periodSeconds <= 0)
    throw new RangeError(`not a duration: ${period}`);
  // Stretch with the period, rounded to whole minutes as Pyrra does.
  const stretch = (s: number) =>
    Math.max(60, Math.round((s * periodSeconds) / BASE_PERIOD_SECONDS / 60) * 60);
  const tiers = TIERS.map((t) => ({
    severity: t.severity,
    factor: t.factor,
    short: window(stretch(t.short), timeScale),
    long: window(stretch(t.long), timeScale),
  }));
  const byName = new Map<string, Window>();
  for (const t of tiers) for (const w of [t.short, t.long]) byName.set(w.nominal, w);
  const all = [...byName.values()].sort((a, b) => a.nominalSeconds - b.nominalSeconds);
  const periodWindow = window(periodSeconds, timeScale);
  return { period: periodWindow, tiers, all: [...all, periodWindow], timeScale };
}
