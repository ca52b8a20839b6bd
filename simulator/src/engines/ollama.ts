// Fake Ollama: /api/generate and /api/chat (NDJSON streaming, or one JSON object with
// stream:false), /api/tags, /api/ps, /api/show, /api/version, and the root liveness text.
// Field names and units (nanosecond durations) are Ollama's own.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendError, sendJson, sendText, writeChunk } from '../util/http';
import { EngineFault } from './core';
import type { EngineCore, GenerationResult } from './core';
import type { ModelProfile } from './profile';
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

export const OLLAMA_VERSION = '0.9.6';

export interface OllamaOptions {
  /** GPU memory this Ollama may use; 0 on CPU-only nodes (size_vram 0). */
  vramBudgetMiB: number;
  startedAt: number;
}

const MIB = 1024 * 1024;

/** Go's RFC3339Nano: nanosecond fraction without trailing zeros. */
export function rfc3339Nano(ms: number = Date.now()): string {
  const iso = new Date(ms).toISOString();
  const extra = String(process.hrtime.bigint() % 1000000n).padStart(6, '0');
  const frac = `${iso.slice(20, 23)}${extra}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

function digest(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function details(m: ModelProfile) {
  const family =
    m.name
      .split(/[:-]/)[0]
      ?.replace(/\.\d+$/, '')
      .replace(/[^a-z0-9]/gi, '') || 'llama';
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: m.parameters || 'unknown',
    quantization_level: 'Q4_K_M',
  };
}

function errorText(err: EngineFault): string {
  return err.failure === 'oom'
    ? 'llama runner process has terminated: cudaMalloc failed: out of memory'
    : 'llama runner process has terminated: CUDA error: unspecified launch failure';
}

function finalMetrics(r: GenerationResult) {
  return {
    done_reason: r.finishReason,
    total_duration: r.totalNs,
    load_duration: r.loadNs,
    prompt_eval_count: r.promptTokens,
    prompt_eval_duration: r.promptEvalNs,
    eval_count: r.completionTokens,
    eval_duration: r.evalNs,
  };
}

export function createOllamaHandler(core: EngineCore, opts: OllamaOptions) {
  const tags = () =>
    core.models.own.map((m) => ({
      name: m.name,
      model: m.name,
      modified_at: rfc3339Nano(opts.startedAt - 86_400_000),
      size: m.sizeMiB * MIB,
      digest: digest(m.name),
      details: details(m),
    }));

  const ps = () =>
    [...core.loaded.keys()]
      .map((name) => core.models.own.find((m) => m.name === name))
      .filter((m): m is ModelProfile => !!m)
      .map((m) => ({
        name: m.name,
        model: m.name,
        size: m.sizeMiB * MIB,
        digest: digest(m.name),
        details: details(m),
        expires_at: rfc3339Nano(Date.now() + 5 * 60_000),
        size_vram: Math.min(m.sizeMiB, opts.vramBudgetMiB) * MIB,
        context_length: 4096,
      }));

  async function generate(req: IncomingMessage, res: ServerResponse, chat: boolean): Promise<void> {
    const body = asObject(await readJson(req));
    const requested = optionalString(body, 'model');
    if (!requested) throw new HttpError(400, 'model is required', 'model');
    const model = core.resolve(requested);
    if (!model)
      throw new HttpError(404, `model "${requested}" not found, try pulling it first`, 'model');
    const stream = optionalBool(body, 'stream') ?? true;
    const options = (body.options ?? {}) as Record<string, unknown>;
    const maxTokens =
      typeof options === 'object' && options ? optionalInt(options, 'num_predict') : undefined;
    let prompt: string;
    if (chat) {
      const messages = parseMessages(body, false);
      prompt = promptOf(messages);
    } else {
      prompt = optionalString(body, 'prompt') ?? '';
      const system = optionalString(body, 'system');
      if (system && prompt) prompt = `system: ${system}\n${prompt}`;
    }
    const keepAlive = body.keep_alive;
    if (!prompt) {
      // An empty prompt loads (or with keep_alive 0 unloads) the model, as Ollama does.
      const unload = keepAlive === 0 || keepAlive === '0' || keepAlive === '0s';
      if (unload) core.loaded.delete(model.name);
      else core.loaded.set(model.name, Date.now());
      const base = { model: requested, created_at: rfc3339Nano() };
      sendJson(res, 200, {
        ...base,
        ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        done_reason: unload ? 'unload' : 'load',
        done: true,
      });
      return;
    }

    const signal = clientSignal(req, res);
    const chunk = (text: string) => ({
      model: requested,
      created_at: rfc3339Nano(),
      ...(chat ? { message: { role: 'assistant', content: text } } : { response: text }),
      done: false,
    });

    if (!stream) {
      await sendWhole(
        res,
        () => core.generate({ requested, model, prompt, maxTokens }, signal, () => undefined),
        (r) => ({
          model: requested,
          created_at: rfc3339Nano(),
          ...(chat ? { message: { role: 'assistant', content: r.text } } : { response: r.text }),
          done: true,
          ...(chat ? {} : { context: [151644, 872, 198] }),
          ...finalMetrics(r),
        }),
        (err) => ({ error: errorText(err) }),
      );
      return;
    }

    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    };
    try {
      const r = await core.generate({ requested, model, prompt, maxTokens }, signal, (text) => {
        start();
        return writeChunk(res, `${JSON.stringify(chunk(text))}\n`);
      });
      start();
      const final = {
        model: requested,
        created_at: rfc3339Nano(),
        ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        done: true,
        ...finalMetrics(r),
        ...(chat ? {} : { context: [151644, 872, 198] }),
      };
      res.end(`${JSON.stringify(final)}\n`);
    } catch (err) {
      if (!(err instanceof EngineFault)) throw err;
      if (!started) sendJson(res, 500, { error: errorText(err) });
      else res.end(`${JSON.stringify({ error: errorText(err) })}\n`);
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /':
        case 'HEAD /':
          sendText(res, 200, 'Ollama is running');
          return;
        case 'GET /api/version':
          sendJson(res, 200, { version: OLLAMA_VERSION });
          return;
        case 'GET /api/tags':
          sendJson(res, 200, { models: tags() });
          return;
        case 'GET /api/ps':
          sendJson(res, 200, { models: ps() });
          return;
        case 'POST /api/show': {
          const body = asObject(await readJson(req));
          const name = optionalString(body, 'model') ?? optionalString(body, 'name');
          const m = core.resolve(name);
          if (!m) throw new HttpError(404, `model '${name ?? ''}' not found`, 'model');
          sendJson(res, 200, {
            license: '',
            modelfile: `FROM ${m.name}`,
            parameters: 'stop "<|im_end|>"',
            template: '{{ .Prompt }}',
            details: details(m),
            model_info: { 'general.architecture': details(m).family, 'general.parameter_count': 0 },
            capabilities: ['completion'],
            modified_at: rfc3339Nano(opts.startedAt),
          });
          return;
        }
        case 'POST /api/generate':
          await generate(req, res, false);
          return;
        case 'POST /api/chat':
          await generate(req, res, true);
          return;
        default:
          sendText(res, 404, '404 page not found');
      }
    } catch (err) {
      sendError(res, err, (_status, message) => ({ error: message }));
    }
  };
}
