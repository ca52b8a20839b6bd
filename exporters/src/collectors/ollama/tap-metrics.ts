// Ollama throughput from the tap: each /api/generate and /api/chat response ends with one JSON
// object carrying durations (ns) and token counts; that object is all the tap reads. Counters
// and histograms here live for the process (tokens/s = rate(ollama_eval_total) /
// rate(ollama_eval_duration_seconds_sum)).
import type { Counter, Histogram, Registry } from 'prom-client';
import { promClient } from '../../core/prom-client-lazy';
import { LastLine } from '../../tap/lines';
import type { TapExchangeObserver, TapObserver, TapRequestInfo } from '../../tap/types';
import type { ModelLabels } from './models';

/** Seconds; from a fast cached prompt to a long 72B generation. */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600,
];

const OBSERVED_PATHS = new Set(['/api/generate', '/api/chat']);
const MODEL_SNIFF_BYTES = 64 * 1024;

export type OllamaErrorKind = 'http' | 'upstream' | 'timeout' | 'aborted' | 'stream' | 'incomplete';

export interface FinalChunk {
  model?: string;
  done?: boolean;
  done_reason?: string;
  error?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export class OllamaTapMetrics {
  readonly registry: Registry;
  private readonly hist: Record<'eval' | 'prompt' | 'load' | 'total', Histogram>;
  private readonly evalTotal: Counter;
  private readonly promptTotal: Counter;
  private readonly requests: Counter;
  private readonly errors: Counter;

  constructor(private readonly models: ModelLabels) {
    const { Counter, Histogram, Registry } = promClient();
    this.registry = new Registry();
    const h = (name: string, help: string) =>
      new Histogram({
        name,
        help,
        labelNames: ['model'],
        buckets: DURATION_BUCKETS,
        registers: [this.registry],
      });
    this.hist = {
      eval: h(
        'ollama_eval_duration_seconds',
        'Time spent generating the response tokens (eval_duration).',
      ),
      prompt: h(
        'ollama_prompt_eval_duration_seconds',
        'Time spent evaluating the prompt (prompt_eval_duration).',
      ),
      load: h('ollama_load_duration_seconds', 'Time spent loading the model (load_duration).'),
      total: h(
        'ollama_total_duration_seconds',
        'Total time spent on the request (total_duration).',
      ),
    };
    const c = (name: string, help: string, labelNames: string[]) =>
      new Counter({ name, help, labelNames, registers: [this.registry] });
    this.evalTotal = c('ollama_eval_total', 'Tokens generated (eval_count).', ['model']);
    this.promptTotal = c(
      'ollama_prompt_eval_total',
      'Prompt tokens evaluated (prompt_eval_count).',
      ['model'],
    );
    this.requests = c('ollama_requests_total', 'Completed generate/chat requests by done_reason.', [
      'model',
      'done_reason',
    ]);
    this.errors = c(
      'ollama_request_errors_total',
      'Generate/chat requests that did not complete: http (4xx/5xx), upstream (unreachable or reset), timeout, aborted (client left), stream (error object), incomplete (no final object).',
      ['model', 'kind'],
    );
  }

  /** Records one final object; returns false when it is not a completed response. */
  recordFinal(final: FinalChunk, fallbackModel?: string): boolean {
    const model = this.models.label(final.model ?? fallbackModel);
    if (typeof final.error === 'string') {
      this.errors.inc({ model, kind: 'stream' });
      return false;
    }
    if (final.done !== true) {
      this.errors.inc({ model, kind: 'incomplete' });
      return false;
    }
    const l = { model };
    this.requests.inc({ model, done_reason: final.done_reason ?? 'unknown' });
    const ns = (v: unknown) =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v / 1e9 : undefined;
    const observe = (h: Histogram, v: unknown) => {
      const s = ns(v);
      if (s !== undefined) h.observe(l, s);
    };
    observe(this.hist.eval, final.eval_duration);
    observe(this.hist.prompt, final.prompt_eval_duration);
    observe(this.hist.load, final.load_duration);
    observe(this.hist.total, final.total_duration);
    if (typeof final.eval_count === 'number' && final.eval_count > 0)
      this.evalTotal.inc(l, final.eval_count);
    if (typeof final.prompt_eval_count === 'number' && final.prompt_eval_count > 0)
      this.promptTotal.inc(l, final.prompt_eval_count);
    return true;
  }

  recordError(kind: OllamaErrorKind, model?: string): void {
    this.errors.inc({ model: this.models.label(model), kind });
  }

  /** The observer to give createTap(). */
  observer(): TapObserver {
    return { onRequest: (req) => this.exchange(req) };
  }

  private exchange(req: TapRequestInfo): TapExchangeObserver | undefined {
    const path = req.path.split('?')[0] ?? '';
    if (req.method !== 'POST' || !OBSERVED_PATHS.has(path)) return undefined;
    const last = new LastLine();
    let head: Buffer[] = [];
    let headBytes = 0;
    let status = 0;
    // The request's model, for errors that come before any response object.
    const requestModel = () => {
      const m = /"model"\s*:\s*"((?:[^"\\]|\\.){1,200})"/.exec(
        Buffer.concat(head).toString('utf8'),
      );
      return m?.[1];
    };
    return {
      onRequestChunk: (chunk) => {
        if (headBytes >= MODEL_SNIFF_BYTES) return;
        const part = chunk.subarray(0, MODEL_SNIFF_BYTES - headBytes);
        head.push(Buffer.from(part));
        headBytes += part.length;
      },
      onResponse: (res) => {
        status = res.status;
      },
      onChunk: (chunk) => {
        if (status < 400) last.push(chunk);
      },
      onEnd: () => {
        const model = requestModel();
        head = [];
        if (status >= 400) return this.recordError('http', model);
        const line = last.value();
        let final: FinalChunk | undefined;
        try {
          final = line ? (JSON.parse(line) as FinalChunk) : undefined;
        } catch {
          final = undefined;
        }
        if (!final || typeof final !== 'object') return this.recordError('incomplete', model);
        this.recordFinal(final, model);
      },
      onAbort: () => this.recordError('aborted', requestModel()),
      onError: (err) =>
        this.recordError(err.kind === 'timeout' ? 'timeout' : 'upstream', requestModel()),
    };
  }
}
