// The tap observer that turns one streamed exchange into token-latency observations at a hop:
// TTFT (arrival → first token-bearing chunk), each inter-token gap, e2e, TPOT, token counts and
// failures. It only reads the chunks the tap forwards; traffic never waits on it.
import { LineSplitter } from '../../tap/lines';
import type { TapExchangeObserver, TapObserver, TapRequestInfo } from '../../tap/types';
import type { HopLabels, RequestObservation } from './metrics';
import type { FailureKind } from './names';
import { formatFromContentType, TokenStreamParser, type StreamFormat } from './stream';

export interface HopTapConfig {
  hop: string;
  engine: string;
  node: string;
  /** Forced stream format; by default taken from the response content type. */
  format?: StreamFormat;
}

export type ObservationSink = (o: RequestObservation) => void;
/**
 * Takes each inter-token gap (seconds) as it happens. Without one, the gaps of a request are
 * handed over with the request at its end; recording them one by one as they come spreads the
 * cost over the stream instead of a burst of hundreds of records when many streams end at once.
 */
export type GapSink = (labels: HopLabels, seconds: number) => void;

/** Model names whose labels objects are kept for reuse. */
const MAX_SHARED_LABELS = 256;

/** Request bodies are read up to this size for the `model` field; the rest only streams. */
const MODEL_PEEK_BYTES = 64 * 1024;

const ERROR_KIND: Record<string, FailureKind> = {
  connect: 'connect',
  timeout: 'timeout',
  'upstream-reset': 'upstream_reset',
  request: 'request',
};

export function modelFromRequestBody(body: string): string | undefined {
  const m = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body);
  if (!m) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return undefined;
  }
}

class Exchange implements TapExchangeObserver {
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private model: string | undefined;
  private status = 0;
  private parser: TokenStreamParser | undefined;
  private splitter: LineSplitter | undefined;
  private now = 0;
  private firstTokenAt: number | undefined;
  private lastTokenAt: number | undefined;
  private readonly gaps: number[] = [];
  private labels: HopLabels | undefined;

  constructor(
    private readonly req: TapRequestInfo,
    private readonly cfg: HopTapConfig,
    private readonly labelsOf: (model: string) => HopLabels,
    private readonly sink: ObservationSink,
    private readonly gapSink?: GapSink,
  ) {}

  onRequestChunk(chunk: Buffer): void {
    if (this.bodyBytes >= MODEL_PEEK_BYTES) return;
    const part = chunk.subarray(0, MODEL_PEEK_BYTES - this.bodyBytes);
    this.body.push(Buffer.from(part));
    this.bodyBytes += part.length;
  }

  onRequestEnd(): void {
    this.model = modelFromRequestBody(Buffer.concat(this.body).toString('utf8'));
    this.body = [];
  }

  onResponse(res: { status: number; headers: Record<string, unknown> }): void {
    this.status = res.status;
    const ct = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '';
    const detected = formatFromContentType(ct);
    // A non-streaming answer (`stream: false`) is one JSON document, not the tap's configured
    // stream format: parsed as SSE it would never see `[DONE]` and count as incomplete.
    const wholeJson = !detected && ct.toLowerCase().includes('json');
    const format = wholeJson ? undefined : (this.cfg.format ?? detected);
    if (!format || res.status >= 400) return;
    // latin1 lines: token markers are ASCII, and only the few lines parsed as JSON are decoded.
    const parser = new TokenStreamParser(format, { onToken: () => this.token() }, true);
    // The labels take the request's model first: with it known, the first chunk is not parsed
    // as JSON for its model (the parser's fast path applies from the first token).
    if (this.model) parser.totals.model = this.model;
    this.parser = parser;
    this.splitter = new LineSplitter((line) => parser.line(line), undefined, true);
  }

  onChunk(chunk: Buffer, at: number): void {
    this.now = at;
    this.splitter?.push(chunk);
  }

  private token(): void {
    // Tokens that arrived in the same upstream read (same `at`) are one delivery: the client
    // gets them in one write, so there is no gap between them to observe. A gap is the time
    // between two deliveries that carried tokens.
    if (this.firstTokenAt === undefined) this.firstTokenAt = this.now;
    else if (this.lastTokenAt !== undefined && this.now !== this.lastTokenAt) {
      const gap = (this.now - this.lastTokenAt) / 1000;
      if (this.gapSink) this.gapSink(this.hopLabels(), gap);
      else this.gaps.push(gap);
    }
    this.lastTokenAt = this.now;
  }

  onEnd(summary: { endedAt: number; status?: number }): void {
    this.splitter?.end();
    this.parser?.end();
    const status = summary.status ?? this.status;
    let failure: FailureKind | undefined;
    if (status >= 500) failure = 'http_5xx';
    else if (status >= 400) failure = 'http_4xx';
    else if (this.parser && !this.parser.totals.done) failure = 'incomplete';
    this.finish(summary.endedAt, failure);
  }

  onAbort(summary: { endedAt: number }): void {
    this.finish(summary.endedAt, 'client_abort');
  }

  onError(error: { kind: string }, summary: { endedAt: number }): void {
    this.finish(summary.endedAt, ERROR_KIND[error.kind] ?? 'upstream_reset');
  }

  /** Fixed once the first gap is seen: the model is known by then (request body or 1st chunk). */
  private hopLabels(): HopLabels {
    this.labels ??= this.labelsOf(this.model || this.parser?.totals.model || 'unknown');
    return this.labels;
  }

  private finish(endedAt: number, failure: FailureKind | undefined): void {
    const totals = this.parser?.totals;
    const labels = this.hopLabels();
    const o: RequestObservation = {
      labels,
      itl: this.gaps,
      e2e: (endedAt - this.req.startedAt) / 1000,
    };
    if (this.firstTokenAt !== undefined) o.ttft = (this.firstTokenAt - this.req.startedAt) / 1000;
    if (totals) {
      o.outputTokens = totals.reportedOutputTokens ?? totals.tokenChunks;
      if (totals.promptTokens !== undefined) o.promptTokens = totals.promptTokens;
    }
    if (failure) o.failure = failure;
    this.sink(o);
  }
}

/**
 * Observes generation requests (POST) through a tap; GETs (health, /api/tags, /v1/models) pass
 * unobserved so they do not dilute the latency series.
 */
export function tokenLatencyObserver(
  cfg: HopTapConfig,
  sink: ObservationSink,
  gapSink?: GapSink,
): TapObserver {
  // One labels object per model, shared by its exchanges: the metrics keep their attributes by
  // labels object, so a request costs no new attribute set. Bounded: model names come from
  // clients; past the bound an exchange gets labels of its own (the metrics cap models anyway).
  const shared = new Map<string, HopLabels>();
  const labelsOf = (model: string): HopLabels => {
    let labels = shared.get(model);
    if (!labels) {
      labels = { hop: cfg.hop, engine: cfg.engine, model, node: cfg.node };
      if (shared.size < MAX_SHARED_LABELS) shared.set(model, labels);
    }
    return labels;
  };
  return {
    onRequest(req) {
      if (req.method !== 'POST') return undefined;
      return new Exchange(req, cfg, labelsOf, sink, gapSink);
    },
  };
}
