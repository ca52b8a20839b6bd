// A streaming client for the two token protocols (OpenAI SSE, Ollama NDJSON) that measures
// what a user sees: time to first token, gaps between tokens, end-to-end time, and why a
// request failed (refused, reset, timeout, HTTP status, error inside the stream).
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { NdjsonParser } from './ndjson';
import { SseParser } from './sse';

export type StreamProtocol =
  'openai-chat' | 'openai-completion' | 'ollama-chat' | 'ollama-generate';

export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'http_4xx'
  | 'http_5xx'
  | 'stream_error'
  | 'protocol'
  | 'aborted';

export const PROTOCOL_PATHS: Record<StreamProtocol, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-completion': '/v1/completions',
  'ollama-chat': '/api/chat',
  'ollama-generate': '/api/generate',
};

export interface StreamRequest {
  /** Base URL (http://127.0.0.1:8080) or the full endpoint URL. */
  url: string;
  protocol: StreamProtocol;
  model: string;
  prompt: string;
  maxTokens?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Whole request, default 120 s. */
  timeoutMs?: number;
  /** Longest silence before the first byte or between chunks, default 30 s (a hang). */
  idleTimeoutMs?: number;
  onToken?: (text: string, atMs: number, model?: string) => void;
  /** Connection pool to reuse; default none (one connection per request). */
  agent?: http.Agent;
}

export interface StreamResult {
  ok: boolean;
  status: number;
  headers: IncomingHttpHeaders;
  error?: { kind: ErrorKind; message: string };
  model?: string;
  text: string;
  ttftMs?: number;
  e2eMs: number;
  /** Gaps between consecutive tokens, ms. */
  itlMs: number[];
  completionTokens: number;
  promptTokens?: number;
  finishReason?: string;
  /** Ollama's final chunk (durations in ns), or the OpenAI usage object. */
  final?: Record<string, unknown>;
}

export function endpointFor(url: string, protocol: StreamProtocol): URL {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = PROTOCOL_PATHS[protocol];
  return u;
}

function bodyFor(req: StreamRequest): Record<string, unknown> {
  switch (req.protocol) {
    case 'openai-chat':
      return {
        model: req.model,
        messages: [{ role: 'user', content: req.prompt }],
        stream: true,
        stream_options: { include_usage: true },
        ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}),
      };
    case 'openai-completion':
      return {
        model: req.model,
        prompt: req.prompt,
        stream: true,
        stream_options: { include_usage: true },
        ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}),
      };
    case 'ollama-chat':
      return {
        model: req.model,
        messages: [{ role: 'user', content: req.prompt }],
        stream: true,
        ...(req.maxTokens ? { options: { num_predict: req.maxTokens } } : {}),
      };
    case 'ollama-generate':
      return {
        model: req.model,
        prompt: req.prompt,
        stream: true,
        ...(req.maxTokens ? { options: { num_predict: req.maxTokens } } : {}),
      };
  }
}

function classifyNetError(err: NodeJS.ErrnoException): ErrorKind {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up')
    return 'reset';
  if (err.code === 'ETIMEDOUT') return 'timeout';
  return 'reset';
}

/** Streams one completion; never throws for network or protocol errors (see `error`). */
export function streamCompletion(req: StreamRequest): Promise<StreamResult> {
  const url = endpointFor(req.url, req.protocol);
  const payload = JSON.stringify(bodyFor(req));
  const t0 = performance.now();
  const result: StreamResult = {
    ok: false,
    status: 0,
    headers: {},
    text: '',
    e2eMs: 0,
    itlMs: [],
    completionTokens: 0,
  };
  const openai = req.protocol.startsWith('openai');
  let lastToken: number | undefined;
  let chunks = 0;
  let finished = false;

  return new Promise((resolve) => {
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (error?: { kind: ErrorKind; message: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      req.signal?.removeEventListener('abort', onAbort);
      result.e2eMs = performance.now() - t0;
      if (!error && !finished)
        error = {
          kind: 'stream_error',
          message: openai
            ? 'stream ended before data: [DONE]'
            : 'stream ended before the final chunk (done: true)',
        };
      if (error) result.error = error;
      result.ok = !error;
      if (result.completionTokens === 0) result.completionTokens = chunks;
      httpReq.destroy();
      resolve(result);
    };
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => finish({ kind: 'timeout', message: `no data for ${req.idleTimeoutMs ?? 30000} ms` }),
        req.idleTimeoutMs ?? 30000,
      );
    };
    const totalTimer = setTimeout(
      () =>
        finish({
          kind: 'timeout',
          message: `request took longer than ${req.timeoutMs ?? 120000} ms`,
        }),
      req.timeoutMs ?? 120000,
    );
    const onAbort = () => finish({ kind: 'aborted', message: 'aborted by caller' });
    req.signal?.addEventListener('abort', onAbort, { once: true });

    const token = (text: string) => {
      if (!text) return;
      const now = performance.now();
      if (result.ttftMs === undefined) result.ttftMs = now - t0;
      else if (lastToken !== undefined) result.itlMs.push(now - lastToken);
      lastToken = now;
      chunks++;
      result.text += text;
      req.onToken?.(text, now - t0, result.model);
    };

    const handleOpenAi = (data: string) => {
      if (data === '[DONE]') {
        finished = true;
        return;
      }
      const obj = JSON.parse(data) as Record<string, unknown>;
      if (obj.error) {
        const e = obj.error as { message?: string };
        throw Object.assign(new Error(e.message ?? JSON.stringify(obj.error)), {
          streamError: true,
        });
      }
      if (!Array.isArray(obj.choices)) throw new Error('chunk without choices');
      if (typeof obj.model === 'string') result.model = obj.model;
      for (const c of obj.choices as Array<Record<string, unknown>>) {
        const delta = c.delta as { content?: string } | undefined;
        token(
          typeof delta?.content === 'string'
            ? delta.content
            : typeof c.text === 'string'
              ? c.text
              : '',
        );
        if (typeof c.finish_reason === 'string') result.finishReason = c.finish_reason;
      }
      const usage = obj.usage as
        { completion_tokens?: number; prompt_tokens?: number } | null | undefined;
      if (usage) {
        result.final = usage as Record<string, unknown>;
        if (typeof usage.completion_tokens === 'number')
          result.completionTokens = usage.completion_tokens;
        if (typeof usage.prompt_tokens === 'number') result.promptTokens = usage.prompt_tokens;
      }
    };

    const handleOllama = (obj: Record<string, unknown>) => {
      if (typeof obj.error === 'string')
        throw Object.assign(new Error(obj.error), { streamError: true });
      if (typeof obj.model === 'string') result.model = obj.model;
      const msg = obj.message as { content?: string } | undefined;
      token(
        typeof obj.response === 'string'
          ? obj.response
          : typeof msg?.content === 'string'
            ? msg.content
            : '',
      );
      if (obj.done === true) {
        finished = true;
        result.final = obj;
        if (typeof obj.done_reason === 'string') result.finishReason = obj.done_reason;
        if (typeof obj.eval_count === 'number') result.completionTokens = obj.eval_count;
        if (typeof obj.prompt_eval_count === 'number') result.promptTokens = obj.prompt_eval_count;
      }
    };

    const httpReq = http.request(
      url,
      {
        method: 'POST',
        // Without an agent, a fresh connection per request: no pooled socket hides a refusal.
        agent: req.agent ?? false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          accept: openai ? 'text/event-stream' : 'application/x-ndjson',
          ...req.headers,
        },
      },
      (res) => {
        result.status = res.statusCode ?? 0;
        result.headers = res.headers;
        armIdle();
        if (result.status >= 400) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            finish({
              kind: result.status >= 500 ? 'http_5xx' : 'http_4xx',
              message: `HTTP ${result.status}: ${text.slice(0, 300)}`,
            }),
          );
          res.on('error', (e) => finish({ kind: classifyNetError(e), message: e.message }));
          return;
        }
        const sse = new SseParser();
        const nd = new NdjsonParser();
        res.on('data', (chunk: Buffer) => {
          armIdle();
          try {
            if (openai) for (const ev of sse.push(chunk)) handleOpenAi(ev.data);
            else for (const obj of nd.push(chunk)) handleOllama(obj as Record<string, unknown>);
          } catch (err) {
            const e = err as Error & { streamError?: boolean };
            finish({ kind: e.streamError ? 'stream_error' : 'protocol', message: e.message });
          }
        });
        res.on('end', () => {
          try {
            if (!openai) for (const obj of nd.end()) handleOllama(obj as Record<string, unknown>);
          } catch (err) {
            finish({ kind: 'protocol', message: (err as Error).message });
          }
          finish();
        });
        res.on('error', (e) => finish({ kind: classifyNetError(e), message: e.message }));
        res.on('aborted', () => finish({ kind: 'reset', message: 'response aborted' }));
      },
    );
    httpReq.on('error', (e: NodeJS.ErrnoException) =>
      finish({ kind: classifyNetError(e), message: `${e.code ?? ''} ${e.message}`.trim() }),
    );
    armIdle();
    httpReq.end(payload);
  });
}
