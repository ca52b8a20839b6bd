import type { SpecProblem } from '../../problems';

// Shared by the importers: turning a foreign query into one of our plain selectors.
const SEL = String.raw`([a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})?)`;
const RANGE = String.raw`\[\s*(?:\{\{\s*\.window\s*\}\}|\$?\w+)\s*\]`;

const WRAPPED = [
  new RegExp(String.raw`^\s*sum\s*\(\s*(?:rate|increase)\s*\(\s*${SEL}\s*${RANGE}\s*\)\s*\)\s*$`),
  new RegExp(String.raw`^\s*(?:rate|increase)\s*\(\s*${SEL}\s*${RANGE}\s*\)\s*$`),
  new RegExp(String.raw`^\s*${SEL}\s*$`),
];

/** `sum(rate(x{a="b"}[{{.window}}]))`, `rate(x[5m])` or `x{...}` → `x{...}`; undefined otherwise. */
export function selectorOfCounterQuery(query: string): string | undefined {
  for (const re of WRAPPED) {
    const m = re.exec(query);
    if (m) return (m[1] as string).replace(/\s+/g, ' ').trim();
  }
  return undefined;
}

/** Sloth's latency idiom: `sum(rate(h_count{…}[w])) - sum(rate(h_bucket{…,le="T"}[w]))`. */
export function latencyOfErrorQuery(
  query: string,
): { histogram: string; threshold: number } | undefined {
  const parts = query.split(/\)\s*\)\s*-\s*sum/);
  if (parts.length !== 2) return undefined;
  const total = selectorOfCounterQuery(`${parts[0]}))`);
  const good = selectorOfCounterQuery(`sum${parts[1]}`);
  if (!total || !good) return undefined;
  const t = /^([a-zA-Z_:][a-zA-Z0-9_:]*)_count\s*(\{.*\})?$/.exec(total);
  const g = /^([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\s*\{(.*)\}$/.exec(good);
  if (!t || !g || t[1] !== g[1]) return undefined;
  const le = /(?:^|,)\s*le\s*=\s*"([^"]+)"/.exec(g[2] as string);
  if (!le || !Number.isFinite(Number(le[1]))) return undefined;
  return { histogram: `${t[1]}${t[2] ?? ''}`, threshold: Number(le[1]) };
}

export interface ImportResult {
  /** okome-slo/v1 YAML, when the input could be expressed. */
  yaml?: string;
  problems: SpecProblem[];
  /** Things dropped on the way that do not change what is measured. */
  notes: string[];
}
