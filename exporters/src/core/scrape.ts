// One scrape: every collector and exposition source runs concurrently (Promise.allSettled
// semantics: nothing can fail the whole), each under its own timeout, then the texts are merged
// into one exposition with the exporter's self-metrics.
import type { Registry } from 'prom-client';
import type { Collector, ExpositionSource, ScrapeContext } from './collector';
import { errorLabel } from './errors';
import { escapeLabelValue, familyHeader, formatValue, mergeExpositions } from './exposition';
import type { ExpositionPart, MergedExposition } from './exposition';
import type { Logger } from './logger';
import { ProcessMetrics } from './process-metrics';
import { promClient } from './prom-client-lazy';
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

/**
 * A fresh prom-client registry for one collector's scrape, built (and prom-client loaded) on the
 * first collector that registers a per-scrape metric, not at start: a collector that writes its
 * own text (redis) never touches `ctx.registry`, and then no registry is built per scrape.
 */
function newRegistry(): Registry {
  return new (promClient().Registry)();
}

export class Scraper {
  private readonly status = new Map<string, CollectorStatus>();
  private readonly warnedDuplicates = new Set<string>();
  private readonly process: ProcessMetrics | undefined;
  private readonly buildInfo: string;

  constructor(private readonly opts: ScraperOptions) {
    for (const c of opts.collectors) this.status.set(c.name, { name: c.name, kind: 'collector' });
    for (const s of this.allSources()) this.status.set(s.name, { name: s.name, kind: 'source' });
    if (opts.processMetrics !== false) this.process = new ProcessMetrics();
    this.buildInfo = `${familyHeader('okome_exporter_build_info', 'gauge', 'okome-exporter version and the Node.js running it.')}okome_exporter_build_info{version="${escapeLabelValue(opts.version ?? '0.0.0')}",nodejs="${process.versions.node}"} 1\n`;
  }

  /** Stops the process-metric observers (event-loop delay, GC). */
  close(): void {
    this.process?.stop();
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
    this.process?.probeLag();
    const running = Promise.all([
      ...this.opts.collectors.map((c) => this.runCollector(c, cap)),
      ...this.allSources().map((s) => this.runSource(s, cap)),
    ]);
    // The process families are read while the collectors wait for their sources, not after:
    // two loop turns on, a collector has sent its requests (a Redis connect completes on the
    // next turn, then the pipeline is written) and waits for the replies. Rendered at once, they
    // would delay that write instead. The event-loop lag is then the newest finished probe, as
    // with prom-client.
    const processText = new Promise<string>((resolve) =>
      setImmediate(() =>
        setImmediate(() => resolve((this.process?.render() ?? '') + this.buildInfo)),
      ),
    );
    const runs = await running;
    const parts = runs.flatMap((r) => r.parts);
    parts.push({ source: 'okome_exporter', text: this.selfMetrics(runs) });
    parts.push({ source: 'process', text: await processText });
    const merged = mergeExpositions(parts);
    for (const d of merged.duplicates) {
      if (this.warnedDuplicates.has(d)) continue;
      this.warnedDuplicates.add(d);
      this.opts.logger.warn('dropped a metric family printed twice', { family: d });
    }
    return merged;
  }

  private async runCollector(c: Collector, cap: number): Promise<Run> {
    let registry: Registry | undefined;
    let softError: unknown;
    const outcome = await withTimeout(cap, async (signal) => {
      const ctx: ScrapeContext = {
        signal,
        get registry() {
          return (registry ??= newRegistry());
        },
        timeoutMs: cap,
        fail: (err) => {
          softError ??= err;
        },
      };
      await c.collect(ctx);
    });
    const parts: ExpositionPart[] = [];
    if (outcome.ok && registry) parts.push({ source: c.name, text: await registry.metrics() });
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

  /** okome_exporter_collector_* and the collectors' `*_up`, written as text. */
  private selfMetrics(runs: Run[]): string {
    let duration = '';
    let success = '';
    let lastError = '';
    const ups = new Map<string, { help: string; value: number }>();
    for (const r of runs) {
      const l = `collector="${escapeLabelValue(r.name)}"`;
      duration += `okome_exporter_collector_duration_seconds{${l}} ${formatValue(r.durationMs / 1000)}\n`;
      success += `okome_exporter_collector_success{${l}} ${r.ok ? 1 : 0}\n`;
      const err = r.ok ? '' : escapeLabelValue(errorLabel(r.error));
      lastError += `okome_exporter_collector_last_error{${l},err="${err}"} ${r.ok ? 0 : 1}\n`;
      if (r.up) ups.set(r.up.name, { help: r.up.help, value: r.ok ? 1 : 0 });
    }
    let out =
      familyHeader(
        'okome_exporter_collector_duration_seconds',
        'gauge',
        'Time the collector (or exposition source) took in this scrape.',
      ) +
      duration +
      familyHeader(
        'okome_exporter_collector_success',
        'gauge',
        '1 when the collector finished in time without error in this scrape.',
      ) +
      success +
      familyHeader(
        'okome_exporter_collector_last_error',
        'gauge',
        '1 with the error message in err when the collector failed in this scrape, else 0 with err="".',
      ) +
      lastError;
    for (const [name, u] of ups)
      out += `${familyHeader(name, 'gauge', u.help)}${name} ${u.value}\n`;
    return out;
  }
}
