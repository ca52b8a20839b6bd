// llm_inter_token_latency_seconds is aggregated here and handed to the OpenTelemetry reader as
// a MetricProducer (the SDK's interface for metrics made outside its instruments), so it reaches
// /metrics through the same collect and serializer as every other llm_* family.
//
// Why not a Histogram instrument: the SDK hashes the attribute set on every record() (sorted
// keys, then JSON), which at one record per token was the largest share of the tap's observer
// cost and most of its garbage (README "Tap performance"). Here a gap costs one WeakMap lookup
// and one bucket increment; the attribute set is hashed once, when its series is made.
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { CollectionResult, MetricProducer } from '@opentelemetry/sdk-metrics';
import type * as OtelSdkMetrics from '@opentelemetry/sdk-metrics';
import type * as OtelCore from '@opentelemetry/core';

/** What OTel's own aggregation names the one series that takes label sets past the limit. */
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

interface Series {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  /** One count per bucket: boundaries are inclusive upper bounds, the last bucket is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface GapHistogramOptions {
  name: string;
  description: string;
  unit: string;
  boundaries: readonly number[];
  /** Series kept before further label sets go to the overflow series (OTel's rule). */
  cardinalityLimit: number;
  /** The SDK's enums, from the module the caller loaded (it is loaded lazily). */
  sdk: Pick<typeof OtelSdkMetrics, 'AggregationTemporality' | 'DataPointType'>;
  /** The clock the SDK stamps its own data points with (@opentelemetry/core). */
  hrTime: (typeof OtelCore)['hrTime'];
}

/** The attribute set's identity, as OTel's hashAttributes makes it (sorted keys). */
function attributesKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((k) => [k, attributes[k]]),
  );
}

const OVERFLOW_KEY = attributesKey(OVERFLOW);

export class GapHistogram implements MetricProducer {
  private readonly byObject = new WeakMap<Attributes, Series>();
  private readonly byKey = new Map<string, Series>();
  private readonly boundaries: number[];

  constructor(private readonly opts: GapHistogramOptions) {
    this.boundaries = [...opts.boundaries];
  }

  /**
   * One value for the series of `attributes`. Pass the same object for the same label set:
   * the lookup is by identity first (an equal new object still lands in the same series).
   */
  record(attributes: Attributes, value: number): void {
    if (!(value >= 0)) return; // a histogram of durations: NaN or negative is a caller's bug
    let s = this.byObject.get(attributes);
    if (!s) {
      s = this.seriesFor(attributes);
      this.byObject.set(attributes, s);
    }
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && value > (b[i] as number)) i++;
    (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = this.opts.hrTime();
    const { sdk } = this.opts;
    const dataPoints = [...this.byKey.values()].map((s) => ({
      attributes: s.attributes,
      startTime: s.startTime,
      endTime,
      value: {
        buckets: { boundaries: this.boundaries, counts: [...s.counts] },
        sum: s.sum,
        count: s.count,
        min: s.min,
        max: s.max,
      },
    }));
    return {
      resourceMetrics: {
        // The reader keeps the SDK's resource and takes only the scope metrics from here.
        resource: undefined as never,
        scopeMetrics: dataPoints.length
          ? [
              {
                scope: { name: 'okome-token-latency' },
                metrics: [
                  {
                    descriptor: {
                      name: this.opts.name,
                      description: this.opts.description,
                      unit: this.opts.unit,
                      valueType: 1, // ValueType.DOUBLE
                    },
                    aggregationTemporality: sdk.AggregationTemporality.CUMULATIVE,
                    dataPointType: sdk.DataPointType.HISTOGRAM,
                    dataPoints,
                  },
                ],
              },
            ]
          : [],
      },
      errors: [],
    };
  }

  private seriesFor(attributes: Attributes): Series {
    const key = attributesKey(attributes);
    const known = this.byKey.get(key);
    if (known) return known;
    // As OTel's aggregation does: limit - 1 label sets, then one series for all the others.
    if (this.byKey.size >= this.opts.cardinalityLimit - 1) {
      const overflow = this.byKey.get(OVERFLOW_KEY) ?? this.newSeries(OVERFLOW);
      this.byKey.set(OVERFLOW_KEY, overflow);
      return overflow;
    }
    const s = this.newSeries({ ...attributes });
    this.byKey.set(key, s);
    return s;
  }

  private newSeries(attributes: Attributes): Series {
    return {
      attributes,
      startTime: this.opts.hrTime(),
      counts: new Array<number>(this.boundaries.length + 1).fill(0),
      sum: 0,
      count: 0,
      min: Infinity,
      max: -Infinity,
    };
  }
}
