// Const metrics built fresh on every scrape (like client_golang's NewConstMetric), rendered in
// the Prometheus text format 0.0.4. Families are sorted by name and series by labels, as the
// Go client does, so two scrapes of the same Redis diff cleanly.
export type MetricType = 'gauge' | 'counter' | 'summary' | 'histogram';

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value?: number;
  /** summary: quantile → value; histogram: upper bound → cumulative count */
  points?: Map<number, number>;
  count?: number;
  sum?: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  series: Series[];
}

export class MetricSink {
  private readonly families = new Map<string, Family>();

  constructor(private readonly prefix = '') {}

  private family(name: string, type: MetricType, help: string | undefined): Family {
    const full = this.prefix ? `${this.prefix}_${name}` : name;
    let f = this.families.get(full);
    if (!f) {
      f = { name: full, type, help: help ?? `${name} metric`, series: [] };
      this.families.set(full, f);
    }
    return f;
  }

  gauge(name: string, value: number, labels: Labels = {}, help?: string): void {
    this.family(name, 'gauge', help).series.push({ labels, value });
  }

  counter(name: string, value: number, labels: Labels = {}, help?: string): void {
    this.family(name, 'counter', help).series.push({ labels, value });
  }

  summary(
    name: string,
    labels: Labels,
    count: number,
    sum: number,
    quantiles: Map<number, number>,
    help?: string,
  ): void {
    this.family(name, 'summary', help).series.push({ labels, count, sum, points: quantiles });
  }

  /** buckets: upper bound → cumulative count (the +Inf bucket is added from count). */
  histogram(
    name: string,
    labels: Labels,
    count: number,
    sum: number,
    buckets: Map<number, number>,
    help?: string,
  ): void {
    this.family(name, 'histogram', help).series.push({ labels, count, sum, points: buckets });
  }

  list(): Family[] {
    return [...this.families.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  render(): string {
    return renderFamilies(this.list());
  }
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  let out = '';
  for (const k in labels) out += `${out ? ',' : '{'}${k}="${escapeLabel(labels[k]!)}"`;
  return out ? `${out}}` : '';
}

/** `{a="1"}` + le="2" → `{a="1",le="2"}`, reusing the series' label text for each bucket. */
function withLabel(text: string, name: string, value: string): string {
  return text ? `${text.slice(0, -1)},${name}="${value}"}` : `{${name}="${value}"}`;
}

export function renderFamilies(families: Family[]): string {
  // One growing string (V8 ropes), not an array of ~1,000 lines joined at the end.
  let out = '';
  for (const f of families) {
    const n = f.name;
    out += `# HELP ${n} ${escapeHelp(f.help)}\n# TYPE ${n} ${f.type}\n`;
    // Each series' label text is built once and is also its sort key (stable across scrapes).
    const rows = f.series.map((s) => ({ s, l: labelText(s.labels) }));
    if (rows.length > 1) rows.sort((a, b) => (a.l < b.l ? -1 : a.l > b.l ? 1 : 0));
    for (const { s, l } of rows) {
      if (f.type === 'gauge' || f.type === 'counter') {
        out += `${n}${l} ${formatValue(s.value ?? 0)}\n`;
        continue;
      }
      const points = [...(s.points ?? new Map<number, number>()).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      if (f.type === 'summary') {
        for (const [q, v] of points)
          out += `${n}${withLabel(l, 'quantile', formatValue(q))} ${formatValue(v)}\n`;
      } else {
        for (const [le, c] of points)
          out += `${n}_bucket${withLabel(l, 'le', formatValue(le))} ${formatValue(c)}\n`;
        out += `${n}_bucket${withLabel(l, 'le', '+Inf')} ${formatValue(s.count ?? 0)}\n`;
      }
      out += `${n}_sum${l} ${formatValue(s.sum ?? 0)}\n${n}_count${l} ${formatValue(s.count ?? 0)}\n`;
    }
  }
  return out;
}
