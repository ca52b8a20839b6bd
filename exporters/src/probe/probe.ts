// Synthetic probes, blackbox_exporter style: /probe?target=&module=ollama|openai|redis runs one
// small streaming generation (or a Redis PING + GET) and answers with probe_* gauges from a
// fresh sink, so an idle cluster still has first-token SLIs. The probe's deadline is
// X-Prometheus-Scrape-Timeout-Seconds minus an offset, as blackbox_exporter does.
import { MetricSink } from '../collectors/redis/exposition';
import { RespClient } from '../collectors/redis/resp';
import { parseRedisTarget } from '../collectors/redis/target';
import { TokenStreamParser, type StreamFormat } from '../collectors/token-latency/stream';

export const PROBE_MODULES = ['ollama', 'openai', 'redis'] as const;
export type ProbeModule = (typeof PROBE_MODULES)[number];

export class ProbeRequestError extends Error {
  override readonly name = 'ProbeRequestError';
}

export interface ProbeParams {
  target: string;
  module: ProbeModule;
  /** Model to ask; default: the first one the engine lists. */
  model?: string;
  /** Output tokens asked for (num_predict / max_tokens). */
  maxTokens: number;
  prompt: string;
  /** Redis key read by the redis module. */
  key: string;
}

export function parseProbeQuery(q: URLSearchParams): ProbeParams {
  const target = q.get('target') ?? '';
  const module = q.get('module') ?? '';
  if (!target) throw new ProbeRequestError("'target' parameter must be specified");
  if (!(PROBE_MODULES as readonly string[]).includes(module))
    throw new ProbeRequestError(
      `unknown module "${module}" (expected one of ${PROBE_MODULES.join(', ')})`,
    );
  const maxTokens = Number(q.get('max_tokens') ?? '8');
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 256)
    throw new ProbeRequestError(
      `'max_tokens' must be an integer 1..256, got "${q.get('max_tokens')}"`,
    );
  const p: ProbeParams = {
    target,
    module: module as ProbeModule,
    maxTokens,
    prompt: q.get('prompt') ?? 'Say OK.',
    key: q.get('key') ?? 'okome:probe',
  };
  const model = q.get('model');
  if (model) p.model = model;
  if (p.module === 'redis') parseRedisTarget(target);
  else {
    const url = /^[a-z]+:\/\//i.test(target) ? target : `http://${target}`;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ProbeRequestError(`target "${target}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ProbeRequestError(
        `target "${target}" must be http:// or https:// for module ${module}`,
      );
    p.target = u.toString().replace(/\/$/, '');
  }
  return p;
}

interface LlmResult {
  ttft?: number;
  tpot?: number;
  tokens: number;
  status?: number;
}

async function firstModel(base: string, module: ProbeModule, signal: AbortSignal): Promise<string> {
  const path = module === 'ollama' ? '/api/tags' : '/v1/models';
  const res = await fetch(`${base}${path}`, { signal });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  const body = (await res.json()) as { models?: { name?: string }[]; data?: { id?: string }[] };
  const name = module === 'ollama' ? body.models?.[0]?.name : body.data?.[0]?.id;
  if (!name) throw new Error(`GET ${path}: no model listed`);
  return name;
}

async function probeLlm(p: ProbeParams, signal: AbortSignal): Promise<LlmResult> {
  const model = p.model ?? (await firstModel(p.target, p.module, signal));
  const [path, body, format]: [string, unknown, StreamFormat] =
    p.module === 'ollama'
      ? [
          '/api/generate',
          { model, prompt: p.prompt, stream: true, options: { num_predict: p.maxTokens } },
          'ndjson',
        ]
      : [
          '/v1/chat/completions',
          {
            model,
            messages: [{ role: 'user', content: p.prompt }],
            stream: true,
            max_tokens: p.maxTokens,
            stream_options: { include_usage: true },
          },
          'sse',
        ];
  const started = performance.now();
  const res = await fetch(`${p.target}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const result: LlmResult = { tokens: 0, status: res.status };
  if (!res.ok || !res.body)
    throw Object.assign(new Error(`POST ${path}: HTTP ${res.status}`), { result });
  let firstAt: number | undefined;
  const parser = new TokenStreamParser(format, {
    onToken: () => {
      firstAt ??= performance.now();
    },
  });
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) parser.line(l.replace(/\r$/, ''));
  }
  if (pending) parser.line(pending);
  parser.end();
  const ended = performance.now();
  if (!parser.totals.done)
    throw Object.assign(new Error('stream ended without its end marker'), { result });
  result.tokens = parser.totals.reportedOutputTokens ?? parser.totals.tokenChunks;
  if (firstAt !== undefined) {
    result.ttft = (firstAt - started) / 1000;
    if (result.tokens > 1) result.tpot = (ended - firstAt) / 1000 / (result.tokens - 1);
  }
  if (firstAt === undefined) throw Object.assign(new Error('no token received'), { result });
  return result;
}

async function probeRedis(p: ProbeParams, deadlineMs: number): Promise<void> {
  const t = parseRedisTarget(p.target);
  const c = await RespClient.connect({
    host: t.host,
    port: t.port,
    ...(t.path ? { path: t.path } : {}),
    timeoutMs: deadlineMs,
    ...(t.user ? { user: t.user } : {}),
    ...(t.password ? { password: t.password } : {}),
  });
  try {
    if ((await c.call('PING')) !== 'PONG') throw new Error('PING did not answer PONG');
    await c.call('GET', p.key);
  } finally {
    c.close();
  }
}

export interface ProbeOutcome {
  text: string;
  success: boolean;
  error?: string;
}

/** Runs one probe within timeoutMs; never throws for target failures (probe_success 0). */
export async function runProbe(p: ProbeParams, timeoutMs: number): Promise<ProbeOutcome> {
  const sink = new MetricSink();
  const started = performance.now();
  let success = false;
  let error: string | undefined;
  let llm: LlmResult | undefined;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (p.module === 'redis') {
      await Promise.race([
        probeRedis(p, timeoutMs),
        new Promise((_, reject) =>
          signal.addEventListener('abort', () =>
            reject(new Error(`timeout after ${timeoutMs} ms`)),
          ),
        ),
      ]);
    } else llm = await probeLlm(p, signal);
    success = true;
  } catch (err) {
    const e = err as Error & { result?: LlmResult };
    llm = e.result ?? llm;
    error = signal.aborted ? `timeout after ${timeoutMs} ms` : e.message;
  }
  sink.gauge('probe_success', success ? 1 : 0, {}, 'Whether the probe succeeded.');
  sink.gauge(
    'probe_duration_seconds',
    (performance.now() - started) / 1000,
    {},
    'Duration of the probe.',
  );
  sink.gauge('probe_timeout_seconds', timeoutMs / 1000, {}, 'Time the probe was allowed.');
  if (p.module !== 'redis') {
    if (llm?.status !== undefined)
      sink.gauge(
        'probe_http_status_code',
        llm.status,
        {},
        'HTTP status of the generation request.',
      );
    if (llm?.ttft !== undefined)
      sink.gauge(
        'probe_llm_time_to_first_token_seconds',
        llm.ttft,
        {},
        'Request sent to first token.',
      );
    if (llm?.tpot !== undefined)
      sink.gauge(
        'probe_llm_time_per_output_token_seconds',
        llm.tpot,
        {},
        '(end - first token) / (output tokens - 1).',
      );
    sink.gauge(
      'probe_llm_output_tokens',
      llm?.tokens ?? 0,
      {},
      'Output tokens of the probe request.',
    );
  }
  const out: ProbeOutcome = { text: sink.render(), success };
  if (error) out.error = error;
  return out;
}
