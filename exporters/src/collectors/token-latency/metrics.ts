// OpenTelemetry instruments for per-hop token latency, read by the Prometheus exporter as a
// pull MetricReader and serialized by hand, so the text can join the prom-client exposition on
// the same /metrics (research/otel-prometheus.md §3). No scope labels, no target_info.
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type * as OtelPrometheus from '@opentelemetry/exporter-prometheus';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type * as OtelSdkMetrics from '@opentelemetry/sdk-metrics';
import type * as OtelCore from '@opentelemetry/core';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { E2E_BUCKETS, ITL_BUCKETS, TTFT_BUCKETS } from './buckets';
import { GapHistogram } from './gap-histogram';
import { LLM_METRICS, type FailureKind } from './names';
import { serializeMetrics } from './serialize';

/**
 * OpenTelemetry is loaded on first use: an exporter without taps (a Redis-only cache node)
 * does not carry the SDK's ~15 MiB.
 */
function loadOtel(): {
  prom: typeof OtelPrometheus;
  sdk: typeof OtelSdkMetrics;
  core: typeof OtelCore;
} {
  /* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy load, see above */
  return {
    prom: require('@opentelemetry/exporter-prometheus') as typeof OtelPrometheus,
    sdk: require('@opentelemetry/sdk-metrics') as typeof OtelSdkMetrics,
    core: require('@opentelemetry/core') as typeof OtelCore,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export interface HopLabels {
  hop: string;
  engine: string;
  model: string;
  node: string;
}

/** One finished exchange as a tap observed it. Times in seconds. */
export interface RequestObservation {
  labels: HopLabels;
  /** request arrival → first token; undefined when no token came */
  ttft?: number;
  /** gaps between consecutive token-bearing chunks */
  itl: number[];
  e2e?: number;
  outputTokens?: number;
  promptTokens?: number;
  failure?: FailureKind;
}

/** The OTel export itself failed (reader unbound or shut down): the scrape must answer 5xx. */
export class OtelExportError extends Error {
  override readonly name = 'OtelExportError';
  /** Read by the exporter core: fail the whole scrape with a 5xx. */
  readonly failScrape = true;
}

export interface TokenLatencyMetricsOptions {
  /**
   * Series per instrument before OTel folds the rest into `otel_metric_overflow="true"`. OTel's
   * default is 2000; label sets are bounded upstream (maxModels), this is the backstop.
   */
  cardinalityLimit?: number;
  /** Distinct model label values kept; further models are reported as model="other". */
  maxModels?: number;
  collectTimeoutMs?: number;
}

export class TokenLatencyMetrics {
  private readonly exporter: PrometheusExporter;
  private readonly provider: MeterProvider;
  private readonly ttft: Histogram;
  /** Recorded once per token: aggregated outside the SDK, read through it (gap-histogram.ts). */
  private readonly itl: GapHistogram;
  private readonly tpot: Histogram;
  private readonly e2e: Histogram;
  private readonly requests: Counter;
  private readonly failures: Counter;
  private readonly genTokens: Counter;
  private readonly promptTokens: Counter;
  private readonly models = new Set<string>();
  // One attribute object per exchange's labels, so a gap per token allocates nothing.
  private readonly attrsOf = new WeakMap<HopLabels, Attributes>();
  private readonly maxModels: number;
  private readonly collectTimeoutMs: number;

  constructor(opts: TokenLatencyMetricsOptions = {}) {
    this.maxModels = opts.maxModels ?? 50;
    this.collectTimeoutMs = opts.collectTimeoutMs ?? 2000;
    const { prom, sdk, core } = loadOtel();
    const cardinalityLimit = opts.cardinalityLimit ?? 10_000;
    this.itl = new GapHistogram({
      name: LLM_METRICS.itl,
      description: 'Gap between consecutive token-bearing chunks at the hop.',
      unit: 's',
      boundaries: ITL_BUCKETS,
      cardinalityLimit,
      sdk,
      hrTime: core.hrTime,
    });
    this.exporter = new prom.PrometheusExporter({
      preventServerStart: true,
      withoutScopeInfo: true,
      withoutTargetInfo: true,
      metricProducers: [this.itl],
    });
    this.provider = new sdk.MeterProvider({
      readers: [this.exporter],
      views: [{ instrumentName: 'llm_*', aggregationCardinalityLimit: cardinalityLimit }],
    });
    const meter = this.provider.getMeter('okome-token-latency');
    const hist = (name: string, description: string, buckets: number[]): Histogram =>
      meter.createHistogram(name, {
        description,
        unit: 's',
        advice: { explicitBucketBoundaries: buckets },
      });
    this.ttft = hist(
      LLM_METRICS.ttft,
      'Time from request arrival at the hop to the first token.',
      TTFT_BUCKETS,
    );
    this.tpot = hist(
      LLM_METRICS.tpot,
      'Per request: (e2e - TTFT) / (output tokens - 1), the vLLM bench definition.',
      ITL_BUCKETS,
    );
    this.e2e = hist(
      LLM_METRICS.e2e,
      'Time from request arrival at the hop to the end of the response.',
      E2E_BUCKETS,
    );
    this.requests = meter.createCounter(LLM_METRICS.requests, {
      description: 'Requests seen at the hop.',
    });
    this.failures = meter.createCounter(LLM_METRICS.failures, {
      description: 'Requests that failed at or below the hop, by kind.',
    });
    this.genTokens = meter.createCounter(LLM_METRICS.generationTokens, {
      description:
        'Output tokens streamed through the hop (usage when reported, else token chunks).',
    });
    this.promptTokens = meter.createCounter(LLM_METRICS.promptTokens, {
      description: 'Prompt tokens, from the usage the engine reported.',
    });
  }

  /** Keeps the model label bounded: the first maxModels names, then "other". */
  boundModel(model: string): string {
    const m = model || 'unknown';
    if (this.models.has(m)) return m;
    if (this.models.size >= this.maxModels) return 'other';
    this.models.add(m);
    return m;
  }

  private attributes(labels: HopLabels): Attributes {
    let attrs = this.attrsOf.get(labels);
    if (!attrs) {
      attrs = { ...labels, model: this.boundModel(labels.model) };
      this.attrsOf.set(labels, attrs);
    }
    return attrs;
  }

  /** One inter-token gap (seconds), recorded as it happens (observer's GapSink). */
  recordGap(labels: HopLabels, seconds: number): void {
    this.itl.record(this.attributes(labels), seconds);
  }

  record(o: RequestObservation): void {
    const attrs = this.attributes(o.labels);
    this.requests.add(1, attrs);
    if (o.failure) this.failures.add(1, { ...attrs, kind: o.failure });
    if (o.ttft !== undefined) this.ttft.record(o.ttft, attrs);
    for (const gap of o.itl) this.itl.record(attrs, gap);
    if (o.e2e !== undefined) this.e2e.record(o.e2e, attrs);
    if (o.outputTokens) this.genTokens.add(o.outputTokens, attrs);
    if (o.promptTokens) this.promptTokens.add(o.promptTokens, attrs);
    if (o.ttft !== undefined && o.e2e !== undefined && (o.outputTokens ?? 0) > 1)
      this.tpot.record((o.e2e - o.ttft) / ((o.outputTokens ?? 0) - 1), attrs);
  }

  /** The reader's raw collection, for tests and tools that serialize themselves. */
  collectRaw() {
    return this.exporter.collect({ timeoutMillis: this.collectTimeoutMs });
  }

  /** Prometheus text of every llm_* family; throws OtelExportError when the export fails. */
  async render(): Promise<string> {
    let result;
    try {
      result = await this.exporter.collect({ timeoutMillis: this.collectTimeoutMs });
    } catch (err) {
      throw new OtelExportError(`OpenTelemetry export failed: ${(err as Error).message}`);
    }
    if (result.errors.length)
      throw new OtelExportError(
        `OpenTelemetry export failed: ${result.errors.map(String).join('; ')}`,
      );
    return serializeMetrics(result.resourceMetrics);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
