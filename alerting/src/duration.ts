// Prometheus durations (500ms, 5m, 1h30m, 28d) to seconds and back, so window arithmetic is
// done on numbers and printed the way Prometheus and on-call people read it.
const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;
export const DURATION_RE = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Seconds in a Prometheus duration; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? 0);
  return total;
}

/** Largest units first: 3600 → "1h", 5400 → "1h30m", 0.5 → "500ms", 0 → "0s". */
export function formatDuration(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  if (ms <= 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) {
      out += `${n}${unit}`;
      ms -= n * size;
    }
  }
  return out;
}

/** Human form for summaries: "2.1 days", "52 seconds". */
export function humanDuration(seconds: number): string {
  const fmt = (n: number, unit: string) => {
    const r = n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
    return `${r} ${unit}${r === 1 ? '' : 's'}`;
  };
  if (seconds >= 86400) return fmt(seconds / 86400, 'day');
  if (seconds >= 3600) return fmt(seconds / 3600, 'hour');
  if (seconds >= 60) return fmt(seconds / 60, 'minute');
  return fmt(seconds, 'second');
}
