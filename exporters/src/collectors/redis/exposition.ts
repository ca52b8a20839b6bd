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

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function seriesKey(s: Series): string {
  return Object.entries(s.labels)
    .map(([k, v]) => `${k}\u0000${v}`)
    .join('\u0001');
}

export function renderFamilies(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const keyed = f.series.map((s) => ({ s, k: seriesKey(s) }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    for (const { s } of keyed) {
      if (f.type === 'gauge' || f.type === 'counter') {
        out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value ?? 0)}`);
        continue;
      }
      const points = [...(s.points ?? new Map<number, number>()).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      if (f.type === 'summary') {
        for (const [q, v] of points)
          out.push(
            `${f.name}${labelText(s.labels, ['quantile', formatValue(q)])} ${formatValue(v)}`,
          );
      } else {
        for (const [le, c] of points)
          out.push(
            `${f.name}_bucket${labelText(s.labels, ['le', formatValue(le)])} ${formatValue(c)}`,
          );
        out.push(
          `${f.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${formatValue(s.count ?? 0)}`,
        );
      }
      out.push(`${f.name}_sum${labelText(s.labels)} ${formatValue(s.sum ?? 0)}`);
      out.push(`${f.name}_count${labelText(s.labels)} ${formatValue(s.count ?? 0)}`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}
