import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { NdjsonParser } from '../client/ndjson';
import { streamCompletion } from '../client/stream-client';
import type { NodeEffects } from './context';
import { EngineCore } from './core';
import { createOllamaHandler } from './ollama';
import { profileFor } from './profile';
import type { ModelProfile } from './profile';
import { fixedContext, serve } from './test-helpers';

const model: ModelProfile = {
  name: 'qwen2.5:32b',
  engine: 'ollama',
  parameters: '32B',
  sizeMiB: 19900,
  tokensPerSecond: 48,
  firstTokenMs: 120,
  concurrency: 1,
};

function setup(effects: Partial<NodeEffects> = {}) {
  const ctx = fixedContext('gpu', effects);
  const core = new EngineCore('ollama', ctx, {
    own: [model],
    accepted: new Map([[model.name, model]]),
  });
  return {
    core,
    handler: createOllamaHandler(core, { vramBudgetMiB: 23552, startedAt: Date.now() }),
  };
}

async function ndjson(res: Response): Promise<Array<Record<string, unknown>>> {
  const p = new NdjsonParser();
  const text = await res.text();
  // Every line is one JSON value terminated by "\n", as Ollama writes them.
  expect(text.endsWith('\n')).toBe(true);
  return [...p.push(text), ...p.end()] as Array<Record<string, unknown>>;
}

describe('fake Ollama /api/generate and /api/chat', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    srv = await serve(setup().handler);
  });
  afterAll(() => srv.close());

  it('streams NDJSON chunks ending in a final chunk with Ollama metrics in nanoseconds', async () => {
    const res = await fetch(`${srv.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'qwen2.5:32b',
        prompt: 'Why is the sky blue?',
        options: { num_predict: 30 },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const chunks = await ndjson(res);
    const final = chunks[chunks.length - 1] as Record<string, unknown>;
    const body = chunks.slice(0, -1);
    expect(body.length).toBe(30);
    for (const c of body) {
      expect(c).toMatchObject({ model: 'qwen2.5:32b', done: false });
      expect(typeof c.response).toBe('string');
      expect(String(c.created_at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
    expect(final).toMatchObject({
      done: true,
      done_reason: 'length',
      response: '',
      eval_count: 30,
    });
    for (const k of [
      'total_duration',
      'load_duration',
      'prompt_eval_duration',
      'eval_duration',
      'prompt_eval_count',
    ])
      expect(Number.isInteger(final[k])).toBe(true);
    const total = final.total_duration as number;
    expect(total).toBeGreaterThanOrEqual(
      (final.prompt_eval_duration as number) + (final.eval_duration as number),
    );
    // tokens/s = eval_count / eval_duration × 1e9 follows the model profile (48 tok/s).
    const rate = ((final.eval_count as number) / (final.eval_duration as number)) * 1e9;
    // Wide bounds: a busy 2-core machine can stall a timer now and then.
    expect(rate).toBeGreaterThan(48 * 0.6);
    expect(rate).toBeLessThan(48 * 1.4);
  });

  it('answers stream:false with one JSON object holding the whole text and the metrics', async () => {
    const res = await fetch(`${srv.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'qwen2.5:32b',
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        options: { num_predict: 5 },
      }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as {
      message: { role: string; content: string };
      done: boolean;
      eval_count: number;
      done_reason: string;
    };
    expect(body.done).toBe(true);
    expect(body.message.role).toBe('assistant');
    expect(body.message.content.split(' ').length).toBe(5);
    expect(body.eval_count).toBe(5);
  });

  it('gives the same answer to the same prompt (cacheable), another to another prompt', async () => {
    const ask = async (prompt: string) =>
      (
        (await (
          await fetch(`${srv.url}/api/generate`, {
            method: 'POST',
            body: JSON.stringify({
              model: 'qwen2.5:32b',
              prompt,
              stream: false,
              options: { num_predict: 6 },
            }),
          })
        ).json()) as { response: string }
      ).response;
    const a = await ask('same');
    expect(await ask('same')).toBe(a);
    expect(await ask('different')).not.toBe(a);
  });

  it('is read by the stream client the way ollama clients read it', async () => {
    const r = await streamCompletion({
      url: srv.url,
      protocol: 'ollama-chat',
      model: 'qwen2.5:32b',
      prompt: 'hello',
      maxTokens: 6,
    });
    expect(r.ok).toBe(true);
    expect(r.completionTokens).toBe(6);
    expect(r.finishReason).toBe('length');
    expect(r.itlMs).toHaveLength(5);
  });

  it('loads a model on an empty prompt (done_reason "load")', async () => {
    const body = (await (
      await fetch(`${srv.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'qwen2.5:32b' }),
      })
    ).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ done: true, done_reason: 'load', response: '' });
  });

  it('lists models in /api/tags and /api/ps, and its version', async () => {
    const tags = (await (await fetch(`${srv.url}/api/tags`)).json()) as {
      models: Array<Record<string, unknown>>;
    };
    expect(tags.models[0]).toMatchObject({
      name: 'qwen2.5:32b',
      model: 'qwen2.5:32b',
      size: 19900 * 1024 * 1024,
      details: { format: 'gguf', parameter_size: '32B' },
    });
    const ps = (await (await fetch(`${srv.url}/api/ps`)).json()) as {
      models: Array<Record<string, unknown>>;
    };
    expect(ps.models[0]).toMatchObject({ name: 'qwen2.5:32b', size_vram: 19900 * 1024 * 1024 });
    expect(typeof ps.models[0]?.expires_at).toBe('string');
    expect(await (await fetch(`${srv.url}/api/version`)).json()).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
    expect(await (await fetch(srv.url)).text()).toBe('Ollama is running');
  });

  it('answers errors in Ollama\'s shape: {"error": "..."}', async () => {
    const missing = await fetch(`${srv.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'model is required' });
    const unknown = await fetch(`${srv.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope', prompt: 'x' }),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/model "nope" not found/);
  });
});

describe('fake Ollama under load and faults', () => {
  it('queues beyond its concurrency: the second request waits for the first', async () => {
    const srv = await serve(setup().handler);
    try {
      const ask = () =>
        streamCompletion({
          url: srv.url,
          protocol: 'ollama-generate',
          model: 'qwen2.5:32b',
          prompt: 'q',
          maxTokens: 8,
        });
      const [a, b] = await Promise.all([ask(), ask()]);
      const [first, second] = [a, b].sort((x, y) => (x.ttftMs ?? 0) - (y.ttftMs ?? 0));
      expect(second?.ttftMs ?? 0).toBeGreaterThanOrEqual((first?.e2eMs ?? 0) - 20);
    } finally {
      await srv.close();
    }
  });

  it('fails with the runner error when the GPU is out of memory', async () => {
    const srv = await serve(setup({ gpuOom: true }).handler);
    try {
      const res = await fetch(`${srv.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'qwen2.5:32b', prompt: 'x' }),
      });
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /^llama runner process has terminated: .*out of memory/,
      );
    } finally {
      await srv.close();
    }
  });
});

describe("fake Ollama throughput: eval_count / eval_duration is the profile's tokens/s", () => {
  // Seed 001 (kage-bunshin): qwen2.5:72b at 2.8 tok/s on node-gpu-primary, qwen2.5:32b at 48.3.
  const inv = loadInventory(resolveInventoryPath('kage-bunshin'));
  const profile = (name: string) => {
    const m = inv.models.find((x) => x.name === name);
    if (!m) throw new Error(`kage-bunshin has no model ${name}`);
    return profileFor(m, 'node-gpu-primary');
  };

  async function finalChunk(p: ModelProfile, tokens: number) {
    const core = new EngineCore('ollama', fixedContext('node-gpu-primary'), {
      own: [p],
      accepted: new Map([[p.name, p]]),
    });
    const srv = await serve(createOllamaHandler(core, { vramBudgetMiB: 23552, startedAt: 0 }));
    try {
      const started = performance.now();
      let firstTokenMs = 0;
      const res = await fetch(`${srv.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: p.name, prompt: 'tok/s', options: { num_predict: tokens } }),
      });
      const parser = new NdjsonParser();
      const lines: Array<Record<string, unknown>> = [];
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!firstTokenMs) firstTokenMs = performance.now() - started;
        lines.push(...(parser.push(Buffer.from(part).toString('utf8')) as typeof lines));
      }
      lines.push(...(parser.end() as typeof lines));
      const final = lines[lines.length - 1] as {
        eval_count: number;
        eval_duration: number;
        prompt_eval_duration: number;
        total_duration: number;
      };
      return { final, firstTokenMs };
    } finally {
      await srv.close();
    }
  }

  it.each([
    ['qwen2.5:72b', 6],
    ['qwen2.5:32b', 40],
  ])(
    '%s: %i tokens, one decode step each',
    async (name, tokens) => {
      const p = profile(name);
      const { final, firstTokenMs } = await finalChunk(p, tokens);
      expect(final.eval_count).toBe(tokens);
      const rate = (final.eval_count / final.eval_duration) * 1e9;
      // Timers fire late on a busy machine (never much early): the rate can only sag a little.
      // Timing n-1 token gaps instead of n steps would read tokens/(tokens-1) × the profile.
      expect(rate).toBeGreaterThan(p.tokensPerSecond * 0.95);
      expect(rate).toBeLessThan(p.tokensPerSecond * 1.01);
      // The first token still arrives after the profile's first-token delay, not one step later.
      expect(firstTokenMs).toBeGreaterThan(p.firstTokenMs * 0.97);
      expect(firstTokenMs).toBeLessThan(p.firstTokenMs * 1.1 + 100);
      // Prompt evaluation and decode share the first-token delay; the total holds both.
      expect(final.total_duration).toBeGreaterThanOrEqual(
        final.prompt_eval_duration + final.eval_duration,
      );
    },
    20_000,
  );
});
