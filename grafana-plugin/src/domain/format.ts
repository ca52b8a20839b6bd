// How numbers read on the pages. Non-finite values render as an em dash, never NaN or Infinity.

export const NO_VALUE = '—';

const finite = (v: number | undefined | null): v is number =>
  typeof v === 'number' && Number.isFinite(v);

/** Latencies: sub-millisecond in µs, then ms, then s with 2 significant decimals. */
export function formatLatency(seconds: number | undefined | null): string {
  if (!finite(seconds) || seconds < 0) return NO_VALUE;
  if (seconds === 0) return '0 ms';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(2)} ms`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.1 ? 1 : 0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  return formatSpan(seconds);
}

/** Long spans (time to exhaustion, periods): the two largest units, e.g. "2d 4h", "3m 20s". */
export function formatSpan(seconds: number | undefined | null): string {
  if (!finite(seconds) || seconds < 0) return NO_VALUE;
  if (seconds < 1) return '< 1s';
  const sizes: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const whole = Math.floor(seconds);
  const first = sizes.findIndex(([, size]) => whole >= size);
  const [bigName, bigSize] = sizes[first] as [string, number];
  const parts = [`${Math.floor(whole / bigSize)}${bigName}`];
  const next = sizes[first + 1];
  if (next) {
    const n = Math.floor((whole % bigSize) / next[1]);
    if (n > 0) parts.push(`${n}${next[0]}`);
  }
  return parts.join(' ');
}

/** A ratio in [0,1] as a percentage: 0.99 → "99%", 0.9995 → "99.95%". */
export function formatPercent(ratio: number | undefined | null, maxDecimals = 2): string {
  if (!finite(ratio)) return NO_VALUE;
  const pct = ratio * 100;
  const smallest = 10 ** -maxDecimals;
  if (pct > 0 && pct < smallest) return `< ${smallest}%`;
  const text = pct.toFixed(maxDecimals).replace(/\.?0+$/, '');
  return `${text}%`;
}

/** Objectives are given in percent (99.5); budgets are what is left of 100. */
export function formatObjective(percent: number | undefined | null): string {
  return finite(percent) ? formatPercent(percent / 100, 3) : NO_VALUE;
}

export function formatBytes(bytes: number | undefined | null): string {
  if (!finite(bytes) || bytes < 0) return NO_VALUE;
  const gib = bytes / 1024 ** 3;
  if (gib >= 1) return `${gib.toFixed(gib >= 10 ? 0 : 1)} GiB`;
  const mib = bytes / 1024 ** 2;
  return `${mib.toFixed(0)} MiB`;
}

export function formatTokensPerSecond(rate: number | undefined | null): string {
  if (!finite(rate) || rate < 0) return NO_VALUE;
  return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} tok/s`;
}

/** Burn rate as a multiple of the sustainable rate: 1× spends the budget exactly over the period. */
export function formatBurnRate(burn: number | undefined | null): string {
  if (!finite(burn) || burn < 0) return NO_VALUE;
  if (burn === 0) return '0×';
  if (burn < 0.01) return '< 0.01×';
  return `${burn >= 10 ? burn.toFixed(0) : burn.toFixed(2)}×`;
}

/** "3m ago" for an ISO time, relative to `now` (ms). */
export function formatSince(iso: string | undefined, now: number): string {
  if (!iso) return NO_VALUE;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return NO_VALUE;
  const ago = Math.max(0, (now - t) / 1000);
  return ago < 5 ? 'just now' : `${formatSpan(ago)} ago`;
}

/**
 * Remaining error budget as people read it: a spent budget is "0%", and how far past it the SLO
 * went is said apart ("spent 4.2× the budget") instead of as a large negative percentage.
 */
export function formatBudgetLeft(remaining: number | undefined | null): {
  left: string;
  overspent?: string;
} {
  if (!finite(remaining)) return { left: NO_VALUE };
  if (remaining >= 0) return { left: formatPercent(remaining, 1) };
  const spent = 1 - remaining;
  return {
    left: '0%',
    overspent: `spent ${spent >= 10 ? spent.toFixed(0) : spent.toFixed(1)}× the budget`,
  };
}
