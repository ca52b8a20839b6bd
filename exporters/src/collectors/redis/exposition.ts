// Const metrics built fresh on every scrape (like client_golang's NewConstMetric), rendered in
// the Prometheus text format 0.0.4. Families are sorted by name and series by labels, as the
// Go client does, so two scrapes of the same Redis diff cleanly.
//
// A series keeps its label text, not its label object: the text is needed anyway, and a
// --check-keys scrape holds thousands of series until it renders, long enough for V8 to move
// them to the old generation. One short string per series keeps that small.
import { escapeHelp, formatValue, labelText } from '../../core/exposition';

export { formatValue };

export type MetricType = 'gauge' | 'counter' | 'summary' | 'histogram';

export type Labels = Record<string, string>;

export interface Series {
  /** `{a="1",b="2"}` (escaped), or '' without labels; also the sort key */
  l: string;
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
  /** by the name without prefix: the callers' constant strings, so no name is built per call */
  private readonly families = new Map<string, Family>();

  constructor(private readonly prefix = '') {}

  private family(name: string, type: MetricType, help: string | undefined): Family {
    let f = this.families.get(name);
    if (!f) {
      const full = this.prefix ? `${this.prefix}_${name}` : name;
      f = { name: full, type, help: help ?? `${name} metric`, series: [] };
      this.families.set(name, f);
    }
    return f;
  }

  gauge(name: string, value: number, labels?: Labels, help?: string): void {
    this.family(name, 'gauge', help).series.push({ l: labels ? labelText(labels) : '', value });
  }

  counter(name: string, value: number, labels?: Labels, help?: string): void {
    this.family(name, 'counter', help).series.push({ l: labels ? labelText(labels) : '', value });
  }

  summary(
    name: string,
    labels: Labels,
    count: number,
    sum: number,
    quantiles: Map<number, number>,
    help?: string,
  ): void {
    this.family(name, 'summary', help).series.push({
      l: labelText(labels),
      count,
      sum,
      points: quantiles,
    });
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
    this.family(name, 'histogram', help).series.push({
      l: labelText(labels),
      count,
      sum,
      points: buckets,
    });
  }

  list(): Family[] {
    // Sorting the short names sorts the full ones (same prefix), with the native string sort.
    return [...this.families.keys()].sort().map((k) => this.families.get(k)!);
  }

  render(): string {
    return renderFamilies(this.list());
  }
}

/** Points by bound; Redis already sends them in order, so usually no sort is needed. */
function sortedPoints(points: Map<number, number> | undefined): [number, number][] {
  const out = points ? [...points] : [];
  for (let i = 1; i < out.length; i++)
    if (out[i - 1]![0] > out[i]![0]) return out.sort((a, b) => a[0] - b[0]);
  return out;
}

const byLabels = (a: Series, b: Series): number => (a.l < b.l ? -1 : a.l > b.l ? 1 : 0);

export function renderFamilies(families: Family[]): string {
  let out = '';
  for (const f of families) {
    const n = f.name;
    out += `# HELP ${n} ${escapeHelp(f.help)}\n# TYPE ${n} ${f.type}\n`;
    if (f.type === 'gauge' || f.type === 'counter') {
      if (f.series.length === 1) {
        const s = f.series[0]!;
        out += `${n}${s.l} ${formatValue(s.value ?? 0)}\n`;
        continue;
      }
      // `{labels} value` lines sort as their label texts do (a label text never is a prefix of
      // another), so the native string sort orders them; one join writes the family.
      const lines = f.series.map((s) => `${s.l} ${formatValue(s.value ?? 0)}`);
      lines.sort();
      out += `${n}${lines.join(`\n${n}`)}\n`;
      continue;
    }
    const rows = f.series.length > 1 ? [...f.series].sort(byLabels) : f.series;
    for (const s of rows) {
      const l = s.l;
      // `{cmd="get"` + `,le="…"}`: the series' labels written once, not once per bucket.
      const open = l ? `${l.slice(0, -1)},` : '{';
      const points = sortedPoints(s.points);
      if (f.type === 'summary') {
        for (const [q, v] of points)
          out += `${n}${open}quantile="${formatValue(q)}"} ${formatValue(v)}\n`;
      } else {
        for (const [le, c] of points)
          out += `${n}_bucket${open}le="${formatValue(le)}"} ${formatValue(c)}\n`;
        out += `${n}_bucket${open}le="+Inf"} ${formatValue(s.count ?? 0)}\n`;
      }
      out += `${n}_sum${l} ${formatValue(s.sum ?? 0)}\n${n}_count${l} ${formatValue(s.count ?? 0)}\n`;
    }
  }
  return out;
}
