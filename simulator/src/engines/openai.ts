// Fake vLLM (OpenAI-compatible server): /v1/chat/completions and /v1/completions with SSE
// streaming (`data: {...}` chunks, a usage chunk with `choices: []` before `data: [DONE]` when
// stream_options.include_usage), /v1/models, /health, /version and /metrics with vLLM's names.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendError, sendJson, sendText, writeChunk } from '../util/http';
import { EngineFault } from './core';
import type { EngineCore, GenerationResult } from './core';
import {
  asObject,
  clientSignal,
  optionalBool,
  optionalInt,
  optionalString,
  parseMessages,
  promptOf,
  sendWhole,
} from './request';
import type { VllmMetrics } from './vllm-metrics';

export const VLLM_VERSION = '0.10.1.1';

export interface OpenAiOptions {
  ownedBy: string;
  maxModelLen: number;
  metrics?: VllmMetrics;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  404: 'NotFoundError',
  500: 'InternalServerError',
};

export function openAiError(status: number, message: string, param: string | null = null) {
  return {
    error: { message, type: ERROR_TYPES[status] ?? 'InternalServerError', param, code: status },
  };
}

function faultMessage(err: EngineFault): string {
  return err.failure === 'oom'
    ? 'CUDA out of memory. Tried to allocate 1.12 GiB. GPU 0 has a total capacity of 79.14 GiB of which 18.75 MiB is free. Process has 79.11 GiB memory in use.'
    : 'EngineCore encountered an issue. See stack trace (above) for the root cause.';
}

export function createOpenAiHandler(core: EngineCore, opts: OpenAiOptions) {
  const created = Math.floor(Date.now() / 1000);

  async function complete(req: IncomingMessage, res: ServerResponse, chat: boolean): Promise<void> {
    const body = asObject(await readJson(req));
    const requested = optionalString(body, 'model');
    if (!requested) throw new HttpError(400, 'model: field required', 'model');
    const model = core.resolve(requested);
    if (!model) throw new HttpError(404, `The model \`${requested}\` does not exist.`, 'model');
    let prompt: string;
    if (chat) prompt = promptOf(parseMessages(body, true));
    else {
      const p = body.prompt;
      if (typeof p === 'string') prompt = p;
      else if (Array.isArray(p) && p.every((x) => typeof x === 'string')) prompt = p.join('\n');
      else
        throw new HttpError(400, 'prompt: field required (string or array of strings)', 'prompt');
    }
    const stream = optionalBool(body, 'stream') ?? false;
    const maxTokens = optionalInt(body, 'max_completion_tokens') ?? optionalInt(body, 'max_tokens');
    if (maxTokens !== undefined && maxTokens < 1)
      throw new HttpError(400, 'max_tokens: must be at least 1', 'max_tokens');
    const so = body.stream_options as Record<string, unknown> | undefined | null;
    if (so !== undefined && so !== null && !stream)
      throw new HttpError(
        400,
        'Stream options can only be defined when `stream=True`.',
        'stream_options',
      );
    // vLLM: include_usage defaults to true once stream_options is given.
    const includeUsage = so ? so.include_usage !== false : false;
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomBytes(16).toString('hex')}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const object = chat ? 'chat.completion.chunk' : 'text_completion';
    const signal = clientSignal(req, res);
    const usageOf = (r: Pick<GenerationResult, 'promptTokens' | 'completionTokens'>) => ({
      prompt_tokens: r.promptTokens,
      total_tokens: r.promptTokens + r.completionTokens,
      completion_tokens: r.completionTokens,
      prompt_tokens_details: null,
    });

    if (!stream) {
      await sendWhole(
        res,
        () => core.generate({ requested, model, prompt, maxTokens }, signal, () => undefined),
        (r) => ({
          id,
          object: chat ? 'chat.completion' : 'text_completion',
          created: createdAt,
          model: r.model.name,
          choices: [
            chat
              ? {
                  index: 0,
                  message: { role: 'assistant', content: r.text, refusal: null, tool_calls: [] },
                  logprobs: null,
                  finish_reason: r.finishReason,
                  stop_reason: null,
                }
              : {
                  index: 0,
                  text: r.text,
                  logprobs: null,
                  finish_reason: r.finishReason,
                  stop_reason: null,
                },
          ],
          usage: usageOf(r),
        }),
        (err) => openAiError(500, faultMessage(err)),
      );
      return;
    }

    let started = false;
    const send = (obj: unknown) => writeChunk(res, `data: ${JSON.stringify(obj)}\n\n`);
    const frame = (choice: Record<string, unknown>) => ({
      id,
      object,
      created: createdAt,
      model: model.name,
      choices: [choice],
      ...(includeUsage ? { usage: null } : {}),
    });
    const start = async () => {
      if (started) return;
      started = true;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
      if (chat)
        await send(
          frame({
            index: 0,
            delta: { role: 'assistant', content: '' },
            logprobs: null,
            finish_reason: null,
          }),
        );
    };
    try {
      let lastText = '';
      let pending: string | undefined;
      const r = await core.generate(
        { requested, model, prompt, maxTokens },
        signal,
        async (text) => {
          await start();
          // Hold one token back so the last content chunk carries finish_reason, as vLLM does.
          if (pending !== undefined) {
            const p = pending;
            pending = text;
            return send(
              chat
                ? frame({ index: 0, delta: { content: p }, logprobs: null, finish_reason: null })
                : frame({
                    index: 0,
                    text: p,
                    logprobs: null,
                    finish_reason: null,
                    stop_reason: null,
                  }),
            );
          }
          pending = text;
        },
      );
      await start();
      lastText = pending ?? '';
      await send(
        chat
          ? frame({
              index: 0,
              delta: { content: lastText },
              logprobs: null,
              finish_reason: r.finishReason,
              stop_reason: null,
            })
          : frame({
              index: 0,
              text: lastText,
              logprobs: null,
              finish_reason: r.finishReason,
              stop_reason: null,
            }),
      );
      if (includeUsage)
        await send({
          id,
          object,
          created: createdAt,
          model: model.name,
          choices: [],
          usage: usageOf(r),
        });
      res.end('data: [DONE]\n\n');
    } catch (err) {
      if (!(err instanceof EngineFault)) {
        if (signal.aborted) opts.metrics?.recordAbort(model.name);
        throw err;
      }
      if (!started) sendJson(res, 500, openAiError(500, faultMessage(err)));
      else {
        await send(openAiError(500, faultMessage(err)));
        res.end('data: [DONE]\n\n');
      }
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /health':
          if (core.ctx.effects().gpuLost)
            sendJson(res, 503, openAiError(500, 'EngineCore is dead'));
          else sendText(res, 200, '');
          return;
        case 'GET /version':
          sendJson(res, 200, { version: VLLM_VERSION });
          return;
        case 'GET /v1/models':
          sendJson(res, 200, {
            object: 'list',
            data: core.models.own.map((m) => ({
              id: m.name,
              object: 'model',
              created,
              owned_by: opts.ownedBy,
              root: m.name,
              parent: null,
              max_model_len: opts.maxModelLen,
              permission: [],
            })),
          });
          return;
        case 'GET /metrics':
          if (!opts.metrics) sendText(res, 404, 'Not Found');
          else
            sendText(res, 200, opts.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
          return;
        case 'POST /v1/chat/completions':
          await complete(req, res, true);
          return;
        case 'POST /v1/completions':
          await complete(req, res, false);
          return;
        default:
          sendJson(res, 404, { detail: 'Not Found' });
      }
    } catch (err) {
      sendError(res, err, openAiError);
    }
  };
}
