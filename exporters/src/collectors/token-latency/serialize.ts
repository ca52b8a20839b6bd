// Prometheus text for the OTel metrics this collector makes (sums and explicit-bucket
// histograms). OTel's PrometheusSerializer spends ~10 µs per line on generic escaping and
// string building (≈ 200 ms for 12k lines under load); this one writes the same samples with
// one label prefix per data point. Same naming rules: characters outside [a-zA-Z0-9_] become
// `_`, `_total` is added to monotonic sums that lack it, histogram counts are made cumulative.
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';

// DataPointType values of @opentelemetry/sdk-metrics (an enum we read without loading the SDK).
const HISTOGRAM = 0;
const SUM = 3;
const GAUGE = 2;

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
}

function escapeValue(v: string): string {
  return /["\\\n]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
    : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelPairs(attributes: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined) continue;
    out.push(`${sanitize(k)}="${escapeValue(typeof v === 'string' ? v : JSON.stringify(v))}"`);
  }
  return out;
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface HistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
}

export function serializeMetrics(rm: ResourceMetrics): string {
  const out: string[] = [];
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      const type = metric.dataPointType as number;
      let name = sanitize(metric.descriptor.name);
      const monotonic = type === SUM && (metric as { isMonotonic?: boolean }).isMonotonic === true;
      if (monotonic && !name.endsWith('_total')) name += '_total';
      const promType =
        type === HISTOGRAM
          ? 'histogram'
          : monotonic
            ? 'counter'
            : type === SUM || type === GAUGE
              ? 'gauge'
              : undefined;
      if (!promType || metric.dataPoints.length === 0) continue;
      out.push(
        `# HELP ${name} ${escapeHelp(metric.descriptor.description || 'description missing')}`,
      );
      out.push(`# TYPE ${name} ${promType}`);
      for (const dp of metric.dataPoints) {
        const pairs = labelPairs(dp.attributes as Record<string, unknown>);
        const labels = pairs.length ? `{${pairs.join(',')}}` : '';
        if (type !== HISTOGRAM) {
          out.push(`${name}${labels} ${num(dp.value as number)}`);
          continue;
        }
        const h = dp.value as HistogramValue;
        const prefix = pairs.length ? `${pairs.join(',')},` : '';
        let cumulative = 0;
        h.buckets.boundaries.forEach((b, i) => {
          cumulative += h.buckets.counts[i] ?? 0;
          out.push(`${name}_bucket{${prefix}le="${num(b)}"} ${cumulative}`);
        });
        out.push(`${name}_bucket{${prefix}le="+Inf"} ${h.count}`);
        out.push(`${name}_sum${labels} ${num(h.sum ?? 0)}`);
        out.push(`${name}_count${labels} ${h.count}`);
      }
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
