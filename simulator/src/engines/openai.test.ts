import { SseParser } from '../client/sse';
import { streamCompletion } from '../client/stream-client';
import type { NodeEffects } from './context';
import { EngineCore } from './core';
import { createOpenAiHandler } from './openai';
import type { ModelProfile } from './profile';
import { fixedContext, serve } from './test-helpers';
import { VllmMetrics } from './vllm-metrics';

/** A parsed SSE chunk: shape checked by the assertions themselves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Chunk = Record<string, any>;

const model: ModelProfile = {
  name: 'qwen2.5-32b-instruct-awq',
  engine: 'vllm',
  parameters: '32B',
  sizeMiB: 19500,
  tokensPerSecond: 120,
  firstTokenMs: 40,
  concurrency: 8,
};

function setup(effects: Partial<NodeEffects> = {}) {
  const ctx = fixedContext('core', effects);
  const metrics = new VllmMetrics([model.name]);
  const core = new EngineCore(
    'vllm',
    ctx,
    {
      own: [model],
      accepted: new Map([
        [model.name, model],
        ['alias-of-primary', model],
      ]),
    },
    metrics.record,
  );
  metrics.attach(core);
  return createOpenAiHandler(core, { ownedBy: 'vllm', maxModelLen: 32768, metrics });
}

async function events(res: Response): Promise<string[]> {
  const p = new SseParser();
  return p.push(await res.text()).map((e) => e.data);
}

const chat = (url: string, body: Record<string, unknown>) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: model.name,
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
    }),
  });

describe('fake vLLM OpenAI-compatible SSE', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    srv = await serve(setup());
  });
  afterAll(() => srv.close());

  it('streams chat.completion.chunk events, a usage chunk with no choices, then [DONE]', async () => {
    const res = await chat(srv.url, {
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 7,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = await events(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(chunks[0]?.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const usage = chunks[chunks.length - 1] as Chunk;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ completion_tokens: 7 });
    expect(usage.usage.total_tokens).toBe(usage.usage.prompt_tokens + 7);
    const content = chunks.slice(1, -1);
    expect(content).toHaveLength(7);
    for (const c of content) {
      expect(c).toMatchObject({ object: 'chat.completion.chunk', model: model.name, usage: null });
      expect(c.id).toBe(chunks[0]?.id);
    }
    expect(content.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(content[content.length - 1]?.choices[0].finish_reason).toBe('length');
  });

  it('sends no usage chunk and no usage fields without stream_options', async () => {
    const data = await events(await chat(srv.url, { stream: true, max_tokens: 3 }));
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks).toHaveLength(4);
  });

  it('streams /v1/completions as text_completion chunks', async () => {
    const res = await fetch(`${srv.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: model.name, prompt: 'Once', stream: true, max_tokens: 4 }),
    });
    const data = await events(res);
    expect(data.pop()).toBe('[DONE]');
    const chunks = data.map((d) => JSON.parse(d) as Chunk);
    expect(chunks).toHaveLength(4);
    expect(
      chunks.every((c) => c.object === 'text_completion' && typeof c.choices[0].text === 'string'),
    ).toBe(true);
  });

  it('answers a backup alias with its own model name (degraded answer)', async () => {
    const r = await streamCompletion({
      url: srv.url,
      protocol: 'openai-chat',
      model: 'alias-of-primary',
      prompt: 'x',
      maxTokens: 2,
    });
    expect(r.ok).toBe(true);
    expect(r.model).toBe(model.name);
  });

  it('returns OpenAI error objects naming the field', async () => {
    const unknown = await chat(srv.url, { model: 'gpt-9' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: {
        message: 'The model `gpt-9` does not exist.',
        type: 'NotFoundError',
        param: 'model',
        code: 404,
      },
    });
    const noMessages = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: model.name }),
    });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as { error: { param: string } }).error.param).toBe(
      'messages',
    );
    const badOptions = await chat(srv.url, {
      stream: false,
      stream_options: { include_usage: true },
    });
    expect(badOptions.status).toBe(400);
  });

  it('lists its models and exports vLLM metric names that count requests', async () => {
    const models = (await (await fetch(`${srv.url}/v1/models`)).json()) as {
      object: string;
      data: Array<{ id: string; object: string }>;
    };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual([model.name]);
    await streamCompletion({
      url: srv.url,
      protocol: 'openai-chat',
      model: model.name,
      prompt: 'm',
      maxTokens: 3,
    });
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toContain('# TYPE vllm:time_to_first_token_seconds histogram');
    expect(text).toMatch(
      /^vllm:num_requests_running\{engine="0",model_name="qwen2.5-32b-instruct-awq"\} 0\.0$/m,
    );
    const count = /^vllm:time_to_first_token_seconds_count\{[^}]*\} (\S+)$/m.exec(text);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^vllm:request_success_total\{engine="0",model_name="[^"]+",finished_reason="length"\} [1-9]/m,
    );
    expect(text).toMatch(/^vllm:time_to_first_token_seconds_bucket\{.*le="\+Inf"\} /m);
  });
});

describe('fake vLLM request phases', () => {
  it('prefill ends with the first token and decode covers the tokens after it, as in vLLM', async () => {
    const srv = await serve(setup());
    try {
      const r = await streamCompletion({
        url: srv.url,
        protocol: 'openai-chat',
        model: model.name,
        prompt: 'phases',
        maxTokens: 11,
      });
      expect(r.ok).toBe(true);
      const text = await (await fetch(`${srv.url}/metrics`)).text();
      const sum = (name: string) =>
        Number(new RegExp(`^vllm:${name}_sum\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
      // Identities that hold however late the timers fire: prefill runs from the end of
      // queueing to the first token (TTFT minus queue), decode from there to the last token.
      const ttft = sum('time_to_first_token_seconds');
      expect(sum('request_prefill_time_seconds')).toBeCloseTo(
        ttft - sum('request_queue_time_seconds'),
        3,
      );
      expect(sum('request_decode_time_seconds')).toBeCloseTo(
        sum('e2e_request_latency_seconds') - ttft,
        3,
      );
      // 10 decode steps after the first token at 120 tok/s.
      expect(sum('request_decode_time_seconds')).toBeGreaterThan((10 / 120) * 0.8);
    } finally {
      await srv.close();
    }
  });
});

describe('fake vLLM faults', () => {
  it('gpu-oom: new requests fail with a 500 InternalServerError body', async () => {
    const srv = await serve(setup({ gpuOom: true }));
    try {
      const res = await chat(srv.url, { stream: true });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('InternalServerError');
      expect(body.error.message).toMatch(/CUDA out of memory/);
    } finally {
      await srv.close();
    }
  });

  it('latency: the first token comes later by the injected delay', async () => {
    const fast = await serve(setup());
    const slow = await serve(setup({ latencyMs: 400 }));
    try {
      const a = await streamCompletion({
        url: fast.url,
        protocol: 'openai-chat',
        model: model.name,
        prompt: 'x',
        maxTokens: 2,
      });
      const b = await streamCompletion({
        url: slow.url,
        protocol: 'openai-chat',
        model: model.name,
        prompt: 'x',
        maxTokens: 2,
      });
      // Lower bounds hold however busy the machine is: the delay is added to the prefill.
      expect(a.ok && b.ok).toBe(true);
      expect(b.ttftMs ?? 0).toBeGreaterThanOrEqual(400 + model.firstTokenMs * 0.9);
      expect(a.ttftMs ?? 0).toBeLessThan(b.ttftMs ?? 0);
    } finally {
      await fast.close();
      await slow.close();
    }
  });
});
