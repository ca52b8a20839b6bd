import { NO_EFFECTS } from '../engines/context';
import { EngineCore } from '../engines/core';
import { createOpenAiHandler } from '../engines/openai';
import type { ModelProfile } from '../engines/profile';
import { serve } from '../engines/test-helpers';
import { runLoad } from './generator';
import { parseMix } from './mix';
import { urlTarget } from './target';

const model: ModelProfile = {
  name: 'm',
  engine: 'vllm',
  parameters: '',
  sizeMiB: 100,
  tokensPerSecond: 400,
  firstTokenMs: 10,
  concurrency: 2,
};

function engine() {
  const ctx = {
    nodeId: 'n',
    effects: () => NO_EFFECTS,
    gate: () => Promise.resolve(),
    random: () => 0.5,
  };
  const core = new EngineCore('vllm', ctx, { own: [model], accepted: new Map([['m', model]]) });
  return createOpenAiHandler(core, { ownedBy: 'vllm', maxModelLen: 4096 });
}

describe('runLoad', () => {
  it('sends rps × duration requests and reports client-side percentiles and tokens', async () => {
    const srv = await serve(engine());
    try {
      const r = await runLoad({
        target: urlTarget(srv.url, 'openai-chat', 'm'),
        model: 'm',
        rps: 10,
        durationMs: 1000,
        concurrency: 8,
        mix: parseMix('chat:0.5,cached:0.5'),
        maxTokens: 4,
      });
      // Bounded by time as well as count: on a busy machine the last one may miss the window.
      expect(r.requests.planned).toBe(10);
      expect(r.requests.sent).toBeGreaterThanOrEqual(8);
      expect(r.requests).toMatchObject({ ok: r.requests.sent, failed: 0 });
      expect(r.tokens.total).toBe(4 * r.requests.sent);
      expect(r.ttftMs.count).toBe(r.requests.sent);
      expect(r.ttftMs.p50).toBeGreaterThan(5);
      expect(r.itlMs.count).toBe(3 * r.requests.sent);
      expect((r.byKind.chat?.sent ?? 0) + (r.byKind.cached?.sent ?? 0)).toBe(r.requests.sent);
    } finally {
      await srv.close();
    }
  });

  it('counts failures by kind when the target refuses connections', async () => {
    const srv = await serve(engine());
    const url = srv.url;
    await srv.close();
    const r = await runLoad({
      target: urlTarget(url, 'openai-chat', 'm'),
      model: 'm',
      rps: 10,
      durationMs: 300,
      concurrency: 2,
      mix: parseMix('chat:1'),
    });
    expect(r.requests.sent).toBeGreaterThanOrEqual(2);
    expect(r.requests.failed).toBe(r.requests.sent);
    expect(r.errors).toEqual({ refused: r.requests.sent });
  });

  it('holds requests beyond the concurrency cap instead of exceeding it', async () => {
    const srv = await serve(engine());
    try {
      const r = await runLoad({
        target: urlTarget(srv.url, 'openai-chat', 'm'),
        model: 'm',
        rps: 50,
        durationMs: 200,
        concurrency: 1,
        mix: parseMix('chat:1'),
        maxTokens: 8,
      });
      expect(r.requests.delayedByConcurrency).toBeGreaterThan(0);
      expect(r.requests.failed).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('refuses a target outside loopback', () => {
    expect(() => urlTarget('http://192.168.86.30:8000', undefined, 'm')).toThrow(/not on loopback/);
  });
});
