// A minimal Prometheus text exposition for the fake engines' own metrics (vLLM's names use
// colons, which is why these are hand-written rather than from an OTel SDK).

type Labels = Record<string, string>;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmtLabels = (l: Labels) => {
  const keys = Object.keys(l);
  return keys.length ? `{${keys.map((k) => `${k}="${esc(l[k] as string)}"`).join(',')}}` : '';
};
const fmtNum = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const key = JSON.stringify(labels);
    const cur = this.values.get(key) ?? { labels, value: 0 };
    cur.value += by;
    this.values.set(key, cur);
  }
  zero(labels: Labels): void {
    const key = JSON.stringify(labels);
    if (!this.values.has(key)) this.values.set(key, { labels, value: 0 });
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${fmtLabels(labels)} ${fmtNum(value)}`);
    return lines.join('\n');
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Array<{ labels: Labels; value: number }>,
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { labels, value } of this.read())
      lines.push(`${this.name}${fmtLabels(labels)} ${fmtNum(value)}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const counts = s.counts;
    this.buckets.forEach((b, i) => {
      if (value <= b) counts[i] = (counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count++;
  }
  zero(labels: Labels): void {
    const key = JSON.stringify(labels);
    if (!this.series.has(key))
      this.series.set(key, { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 });
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) =>
        lines.push(
          `${this.name}_bucket${fmtLabels({ ...s.labels, le: fmtNum(b) })} ${fmtNum(s.counts[i] as number)}`,
        ),
      );
      lines.push(`${this.name}_bucket${fmtLabels({ ...s.labels, le: '+Inf' })} ${fmtNum(s.count)}`);
      lines.push(`${this.name}_sum${fmtLabels(s.labels)} ${fmtNum(s.sum)}`);
      lines.push(`${this.name}_count${fmtLabels(s.labels)} ${fmtNum(s.count)}`);
    }
    return lines.join('\n');
  }
}
