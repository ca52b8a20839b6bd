// One scrape: every collector and exposition source runs concurrently (Promise.allSettled
// semantics: nothing can fail the whole), each under its own timeout, then the texts are merged
// into one exposition with the exporter's self-metrics.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Collector, ExpositionSource, ScrapeContext } from './collector';
import { errorLabel } from './errors';
import { mergeExpositions } from './exposition';
import type { ExpositionPart, MergedExposition } from './exposition';
import type { Logger } from './logger';
import { withTimeout } from './timeout';

export interface CollectorStatus {
  readonly name: string;
  readonly kind: 'collector' | 'source';
  /** Undefined until the first scrape. */
  readonly success?: boolean;
  readonly lastError?: string;
  /** When the last error happened (kept after recovery, for the landing page). */
  readonly lastErrorAt?: Date;
  readonly lastDurationSeconds?: number;
  readonly lastScrapeAt?: Date;
}

export interface ScraperOptions {
  readonly collectors: readonly Collector[];
  /** Sources not tied to a collector. */
  readonly sources?: readonly ExpositionSource[];
  /** Upper bound for each collector; a scrape deadline lowers it. */
  readonly collectorTimeoutMs: number;
  readonly logger: Logger;
  /** Include process_* and nodejs_* metrics of the exporter itself. */
  readonly processMetrics?: boolean;
  readonly version?: string;
}

interface Run {
  name: string;
  ok: boolean;
  error?: unknown;
  durationMs: number;
  parts: ExpositionPart[];
  up?: { name: string; help: string };
}

// prom-client's default gauges named *_total make `promtool check metrics` complain.
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export class Scraper {
  private readonly status = new Map<string, CollectorStatus>();
  private readonly processRegistry = new Registry();
  private readonly warnedDuplicates = new Set<string>();

  constructor(private readonly opts: ScraperOptions) {
    for (const c of opts.collectors) this.status.set(c.name, { name: c.name, kind: 'collector' });
    for (const s of this.allSources()) this.status.set(s.name, { name: s.name, kind: 'source' });
    if (opts.processMetrics !== false) {
      collectDefaultMetrics({ register: this.processRegistry });
      for (const n of NON_COUNTER_TOTALS) this.processRegistry.removeSingleMetric(n);
    }
    new Gauge({
      name: 'okome_exporter_build_info',
      help: 'okome-exporter version and the Node.js running it.',
      labelNames: ['version', 'nodejs'],
      registers: [this.processRegistry],
    }).set({ version: opts.version ?? '0.0.0', nodejs: process.versions.node }, 1);
  }

  private allSources(): ExpositionSource[] {
    return [...this.opts.collectors.flatMap((c) => c.sources ?? []), ...(this.opts.sources ?? [])];
  }

  statuses(): CollectorStatus[] {
    return [...this.status.values()];
  }

  /**
   * Collects everything. `deadlineMs` is the time the scraper will wait (from
   * X-Prometheus-Scrape-Timeout-Seconds minus an offset); no collector gets more.
   */
  async scrape(deadlineMs?: number): Promise<MergedExposition> {
    const cap = Math.max(
      1,
      Math.min(this.opts.collectorTimeoutMs, deadlineMs ?? this.opts.collectorTimeoutMs),
    );
    const runs = await Promise.all([
      ...this.opts.collectors.map((c) => this.runCollector(c, cap)),
      ...this.allSources().map((s) => this.runSource(s, cap)),
    ]);
    const parts = runs.flatMap((r) => r.parts);
    parts.push({ source: 'okome_exporter', text: await this.selfMetrics(runs) });
    parts.push({ source: 'process', text: await this.processRegistry.metrics() });
    const merged = mergeExpositions(parts);
    for (const d of merged.duplicates) {
      if (this.warnedDuplicates.has(d)) continue;
      this.warnedDuplicates.add(d);
      this.opts.logger.warn('dropped a metric family printed twice', { family: d });
    }
    return merged;
  }

  private async runCollector(c: Collector, cap: number): Promise<Run> {
    const registry = new Registry();
    let softError: unknown;
    const outcome = await withTimeout(cap, async (signal) => {
      const ctx: ScrapeContext = {
        signal,
        registry,
        timeoutMs: cap,
        fail: (err) => {
          softError ??= err;
        },
      };
      await c.collect(ctx);
    });
    const parts: ExpositionPart[] = [];
    if (outcome.ok) parts.push({ source: c.name, text: await registry.metrics() });
    // Long-lived instrumentation does not depend on the source being reachable right now.
    if (c.registry) parts.push({ source: c.name, text: await c.registry.metrics() });
    const error = outcome.ok ? softError : outcome.error;
    return this.record(c.name, 'collector', {
      name: c.name,
      ok: error === undefined,
      error,
      durationMs: outcome.durationMs,
      parts,
      up: c.up,
    });
  }

  private async runSource(s: ExpositionSource, cap: number): Promise<Run> {
    const outcome = await withTimeout(Math.min(cap, s.timeoutMs ?? cap), (signal) =>
      s.render(signal),
    );
    // A source whose export machinery itself broke (e.g. the OTel reader is shut down) marks
    // its error `failScrape`: the scrape answers 5xx instead of looking like an empty success.
    if (!outcome.ok && (outcome.error as { failScrape?: unknown } | undefined)?.failScrape === true)
      throw outcome.error;
    return this.record(s.name, 'source', {
      name: s.name,
      ok: outcome.ok,
      error: outcome.ok ? undefined : outcome.error,
      durationMs: outcome.durationMs,
      parts: outcome.ok ? [{ source: s.name, text: outcome.value }] : [],
    });
  }

  private record(name: string, kind: 'collector' | 'source', run: Run): Run {
    const prev = this.status.get(name);
    const now = new Date();
    if (!run.ok && prev?.success !== false) {
      this.opts.logger.warn('collector failed', { collector: name, err: errorLabel(run.error) });
    }
    this.status.set(name, {
      name,
      kind,
      success: run.ok,
      lastError: run.ok ? prev?.lastError : errorLabel(run.error),
      lastErrorAt: run.ok ? prev?.lastErrorAt : now,
      lastDurationSeconds: run.durationMs / 1000,
      lastScrapeAt: now,
    });
    return run;
  }

  private async selfMetrics(runs: Run[]): Promise<string> {
    const reg = new Registry();
    const duration = new Gauge({
      name: 'okome_exporter_collector_duration_seconds',
      help: 'Time the collector (or exposition source) took in this scrape.',
      labelNames: ['collector'],
      registers: [reg],
    });
    const success = new Gauge({
      name: 'okome_exporter_collector_success',
      help: '1 when the collector finished in time without error in this scrape.',
      labelNames: ['collector'],
      registers: [reg],
    });
    const lastError = new Gauge({
      name: 'okome_exporter_collector_last_error',
      help: '1 with the error message in err when the collector failed in this scrape, else 0 with err="".',
      labelNames: ['collector', 'err'],
      registers: [reg],
    });
    const ups = new Map<string, Gauge>();
    for (const r of runs) {
      duration.set({ collector: r.name }, r.durationMs / 1000);
      success.set({ collector: r.name }, r.ok ? 1 : 0);
      lastError.set({ collector: r.name, err: r.ok ? '' : errorLabel(r.error) }, r.ok ? 0 : 1);
      if (r.up) {
        let g = ups.get(r.up.name);
        if (!g) {
          g = new Gauge({ name: r.up.name, help: r.up.help, registers: [reg] });
          ups.set(r.up.name, g);
        }
        g.set(r.ok ? 1 : 0);
      }
    }
    return reg.metrics();
  }
}
