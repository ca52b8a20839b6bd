// The stream service of the cache/stream plane (seed 000): it holds the client's SSE stream,
// answers a repeated prompt from its node's real Redis, and otherwise streams the tokens of
// the engine the routing picks: through the ingress nginx's engine upstream when the
// inventory has one, else straight to the pool's backends, failing over to the next.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamCompletion } from '../client/stream-client';
import type { StreamProtocol, StreamResult } from '../client/stream-client';
import {
  asObject,
  clientSignal,
  optionalBool,
  optionalInt,
  parseMessages,
  promptOf,
} from '../engines/request';
import { openAiError } from '../engines/openai';
import type { RespClient } from '../procs/resp';
import { HttpError, readJson, sendError, sendJson, writeChunk } from '../util/http';

export interface EngineRoute {
  /** Base URLs tried in order: ingress nginx frontends, or the backends themselves. */
  candidates: Array<{ url: string; via: string }>;
  protocol: StreamProtocol;
  defaultModel: string;
}

export interface StreamServiceOptions {
  nodeId: string;
  route: EngineRoute;
  cache: RespClient;
  cacheTtlSeconds: number;
}

interface CachedAnswer {
  model: string;
  tokens: string[];
  promptTokens: number;
}

export interface StreamStats {
  requests: number;
  cacheHits: number;
  cacheMisses: number;
  cacheErrors: number;
  engineFailovers: number;
  errors: number;
}

/** Retrying another engine is safe only while the client has seen no token. */
const RETRYABLE = new Set(['refused', 'reset', 'timeout', 'http_5xx']);

export function cacheKey(model: string, prompt: string): string {
  return `okome:answer:${createHash('sha256').update(`${model}\u0000${prompt}`).digest('hex')}`;
}

export function createStreamHandler(opts: StreamServiceOptions) {
  const stats: StreamStats = {
    requests: 0,
    cacheHits: 0,
    cacheMisses: 0,
    cacheErrors: 0,
    engineFailovers: 0,
    errors: 0,
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  async function readCache(key: string): Promise<CachedAnswer | undefined | 'error'> {
    try {
      const v = await opts.cache.command('GET', key);
      if (typeof v !== 'string') return undefined;
      return JSON.parse(v) as CachedAnswer;
    } catch {
      return 'error';
    }
  }

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const body = asObject(await readJson(req));
    const messages = parseMessages(body, true);
    const prompt = promptOf(messages);
    const model =
      typeof body.model === 'string' && body.model ? body.model : opts.route.defaultModel;
    const stream = optionalBool(body, 'stream') ?? false;
    const maxTokens = optionalInt(body, 'max_tokens') ?? optionalInt(body, 'max_completion_tokens');
    const so = body.stream_options as { include_usage?: boolean } | undefined;
    const includeUsage = !!so && so.include_usage !== false;
    const id = `chatcmpl-${randomBytes(16).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const signal = clientSignal(req, res);
    const key = cacheKey(model, `${prompt}\u0000${maxTokens ?? ''}`);
    const cached = await readCache(key);
    if (cached === 'error') stats.cacheErrors++;
    const headers: Record<string, string> = {
      'x-okome-stream-node': opts.nodeId,
      'x-okome-cache': cached === 'error' ? 'error' : cached ? 'hit' : 'miss',
    };

    const frame = (answerModel: string, choice: Record<string, unknown>) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: answerModel,
      choices: [choice],
      ...(includeUsage ? { usage: null } : {}),
    });
    const send = (obj: unknown) => writeChunk(res, `data: ${JSON.stringify(obj)}\n\n`);
    const usage = (p: number, c: number) => ({
      prompt_tokens: p,
      total_tokens: p + c,
      completion_tokens: c,
    });
    // The whole answer in one object (stream: false), from the cache or from the engine.
    const sendWholeAnswer = (
      answerModel: string,
      content: string,
      finishReason: string,
      promptTokens: number,
      completionTokens: number,
    ) =>
      sendJson(
        res,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model: answerModel,
          choices: [
            { index: 0, message: { role: 'assistant', content }, finish_reason: finishReason },
          ],
          usage: usage(promptTokens, completionTokens),
        },
        headers,
      );
    // The usage chunk before [DONE] (stream_options.include_usage), as vLLM sends it.
    const sendUsage = async (
      answerModel: string,
      promptTokens: number,
      completionTokens: number,
    ) => {
      if (!includeUsage) return;
      await send({
        id,
        object: 'chat.completion.chunk',
        created,
        model: answerModel,
        choices: [],
        usage: usage(promptTokens, completionTokens),
      });
    };

    if (cached && cached !== 'error') {
      stats.cacheHits++;
      if (!stream) {
        sendWholeAnswer(
          cached.model,
          cached.tokens.join(''),
          'stop',
          cached.promptTokens,
          cached.tokens.length,
        );
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...headers,
      });
      await send(
        frame(cached.model, {
          index: 0,
          delta: { role: 'assistant', content: '' },
          finish_reason: null,
        }),
      );
      cached.tokens.forEach((t, i) => {
        const last = i === cached.tokens.length - 1;
        void send(
          frame(cached.model, {
            index: 0,
            delta: { content: t },
            finish_reason: last ? 'stop' : null,
          }),
        );
      });
      await sendUsage(cached.model, cached.promptTokens, cached.tokens.length);
      res.end('data: [DONE]\n\n');
      return;
    }
    if (cached !== 'error') stats.cacheMisses++;

    // Miss: stream from the engine, trying the next candidate while no token went out.
    const tokens: string[] = [];
    let started = false;
    let answerModel = model;
    const startStream = async (via: string) => {
      if (started) return;
      started = true;
      if (!stream) return;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...headers,
        'x-okome-engine-via': via,
      });
      await send(
        frame(answerModel, {
          index: 0,
          delta: { role: 'assistant', content: '' },
          finish_reason: null,
        }),
      );
    };
    let result: StreamResult | undefined;
    let lastError = 'no engine candidates';
    for (const [i, cand] of opts.route.candidates.entries()) {
      if (i > 0) stats.engineFailovers++;
      let pending: Promise<void> = Promise.resolve();
      result = await streamCompletion({
        url: cand.url,
        protocol: opts.route.protocol,
        model,
        prompt,
        maxTokens,
        signal,
        agent,
        idleTimeoutMs: 30_000,
        timeoutMs: 600_000,
        onToken: (text, _at, servedModel) => {
          if (servedModel) answerModel = servedModel;
          tokens.push(text);
          pending = pending.then(async () => {
            await startStream(cand.via);
            if (stream)
              await send(
                frame(answerModel, { index: 0, delta: { content: text }, finish_reason: null }),
              );
          });
        },
      });
      await pending;
      if (result.model) answerModel = result.model;
      if (result.ok) {
        await startStream(cand.via);
        break;
      }
      lastError = `${cand.via}: ${result.error?.message ?? 'failed'}`;
      if (tokens.length > 0 || !RETRYABLE.has(result.error?.kind ?? '') || signal.aborted) break;
    }

    if (!result?.ok) {
      stats.errors++;
      if (signal.aborted) return;
      if (!started || !stream) {
        sendJson(res, 502, openAiError(500, `no engine could answer: ${lastError}`), headers);
        return;
      }
      await send(openAiError(500, `engine stream failed: ${lastError}`));
      res.end('data: [DONE]\n\n');
      return;
    }
    const promptTokens = result.promptTokens ?? Math.ceil(prompt.length / 4);
    if (stream) {
      await send(
        frame(answerModel, { index: 0, delta: {}, finish_reason: result.finishReason ?? 'stop' }),
      );
      await sendUsage(answerModel, promptTokens, tokens.length);
      res.end('data: [DONE]\n\n');
    } else {
      sendWholeAnswer(
        answerModel,
        tokens.join(''),
        result.finishReason ?? 'stop',
        promptTokens,
        tokens.length,
      );
    }
    const entry: CachedAnswer = { model: answerModel, tokens, promptTokens };
    opts.cache.command('SET', key, JSON.stringify(entry), 'EX', opts.cacheTtlSeconds).catch(() => {
      stats.cacheErrors++;
    });
  }

  const handle = async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/health')) {
        sendJson(res, 200, { status: 'ok', node: opts.nodeId, ...stats });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
        await chat(req, res);
        return;
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    } catch (err) {
      sendError(res, err, openAiError);
    }
  };
  return Object.assign(handle, { stats, close: () => agent.destroy() });
}
