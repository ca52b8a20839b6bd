import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { Exporter } from '../../core/exporter';
import { resolveOptions } from '../../core/flags';
import { silentLogger } from '../../core/logger';
import { sample } from '../../test-support/fixtures';
import { startFakeOllama } from '../../test-support/fake-ollama';
import type { FakeOllama } from '../../test-support/fake-ollama';
import type { OllamaCollector } from './collector';
import { ollamaCollector } from './collector';
import { ModelLabels } from './models';
import { OllamaTapMetrics } from './tap-metrics';

async function exporterFor(flags: Record<string, string | string[]>) {
  const options = resolveOptions(ollamaCollector.flags, new Map(Object.entries(flags)));
  const collector = ollamaCollector.create(options, { logger: silentLogger }) as OllamaCollector;
  const exporter = new Exporter({
    collectors: [collector],
    listen: { host: '127.0.0.1', port: 0 },
    logger: silentLogger,
    processMetrics: false,
    collectorTimeoutMs: 3000,
  });
  await exporter.start();
  const scrape = async () => (await fetch(`${exporter.url()}/metrics`)).text();
  return { exporter, collector, scrape };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ollama collector', () => {
  let ollama: FakeOllama;
  beforeAll(async () => {
    ollama = await startFakeOllama({ tokensPerSecond: 400, tokens: 40 });
  });
  afterAll(() => ollama.close());

  it('polls version, loaded and available models', async () => {
    const { exporter, scrape } = await exporterFor({ 'ollama.url': ollama.url });
    try {
      const text = await scrape();
      expect(sample(text, 'ollama_up')).toBe(1);
      expect(text).toContain('ollama_build_info{version="0.5.1"} 1');
      expect(sample(text, 'ollama_model_loaded{model="qwen2.5:32b"}')).toBe(1);
      expect(sample(text, 'ollama_model_loaded{model="qwen2.5:72b"}')).toBe(0);
      expect(sample(text, 'ollama_model_vram_bytes{model="qwen2.5:32b"}')).toBe(20_000_000_000);
      expect(sample(text, 'ollama_model_size_bytes{model="qwen2.5:72b"}')).toBe(47_415_724_032);
      expect(sample(text, 'ollama_model_expires_at_timestamp_seconds{model="qwen2.5:32b"}')).toBe(
        Date.parse('2026-11-25T18:00:00Z') / 1000,
      );
      expect(sample(text, 'ollama_models_available')).toBe(2);
      expect(
        execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }),
      ).toBe('');
    } finally {
      await exporter.stop();
    }
  });

  it('reports Ollama down as ollama_up 0 with the error, scrape 200', async () => {
    const dead = await startFakeOllama();
    const url = dead.url;
    await dead.close();
    const { exporter } = await exporterFor({ 'ollama.url': url });
    try {
      const res = await fetch(`${exporter.url()}/metrics`);
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(sample(text, 'ollama_up')).toBe(0);
      expect(text).toContain(
        'okome_exporter_collector_last_error{collector="ollama",err="GET /api/version: ECONNREFUSED"} 1',
      );
      expect(text).not.toContain('ollama_build_info{');
    } finally {
      await exporter.stop();
    }
  });

  it('counts tokens and durations from the final object of streams through the tap', async () => {
    const { exporter, collector, scrape } = await exporterFor({
      'ollama.url': ollama.url,
      'ollama.tap.listen': '127.0.0.1:0',
      'ollama.models': ['qwen2.5:32b'],
    });
    try {
      const tap = collector.tapUrl!;
      for (const path of ['/api/generate', '/api/chat']) {
        const res = await fetch(`${tap}${path}`, {
          method: 'POST',
          body: JSON.stringify({
            model: 'qwen2.5:32b',
            prompt: 'hi',
            options: { num_predict: 40 },
          }),
        });
        const lines = (await res.text()).trim().split('\n');
        expect(lines).toHaveLength(41);
      }
      const nonStream = await fetch(`${tap}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'qwen2.5:32b',
          prompt: 'hi',
          stream: false,
          options: { num_predict: 8 },
        }),
      });
      expect(((await nonStream.json()) as { eval_count: number }).eval_count).toBe(8);
      // Not observed: other paths pass through untouched.
      expect((await fetch(`${tap}/api/tags`)).status).toBe(200);

      const text = await scrape();
      expect(sample(text, 'ollama_eval_total{model="qwen2.5:32b"}')).toBe(88);
      expect(sample(text, 'ollama_prompt_eval_total{model="qwen2.5:32b"}')).toBe(36);
      expect(sample(text, 'ollama_requests_total{model="qwen2.5:32b",done_reason="stop"}')).toBe(3);
      expect(sample(text, 'ollama_eval_duration_seconds_count{model="qwen2.5:32b"}')).toBe(3);
      // tokens/s as the recording rule computes it: eval_total / eval_duration_sum = 400
      const sum = sample(text, 'ollama_eval_duration_seconds_sum{model="qwen2.5:32b"}')!;
      expect(88 / sum).toBeCloseTo(400, 3);
      expect(sample(text, 'ollama_load_duration_seconds_sum{model="qwen2.5:32b"}')).toBeCloseTo(
        0.003,
        9,
      );
      expect(
        execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }),
      ).toBe('');
    } finally {
      await exporter.stop();
    }
  });

  it('counts client aborts and HTTP errors, and cancels the upstream stream', async () => {
    const { exporter, collector, scrape } = await exporterFor({
      'ollama.url': ollama.url,
      'ollama.tap.listen': '127.0.0.1:0',
    });
    try {
      const before = ollama.cancelled();
      await new Promise<void>((resolve) => {
        const req = request(`${collector.tapUrl}/api/generate`, { method: 'POST' }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => undefined);
        req.end(
          JSON.stringify({ model: 'qwen2.5:72b', prompt: 'long', options: { num_predict: 4000 } }),
        );
      });
      for (let i = 0; i < 100 && ollama.cancelled() === before; i++) await sleep(10);
      expect(ollama.cancelled()).toBe(before + 1);
      const bad = await fetch(`${collector.tapUrl}/api/generate`, {
        method: 'POST',
        body: '{"model":"qwen2.5:72b",',
      });
      expect(bad.status).toBe(400);
      const text = await scrape();
      expect(sample(text, 'ollama_request_errors_total{model="qwen2.5:72b",kind="aborted"}')).toBe(
        1,
      );
      expect(sample(text, 'ollama_request_errors_total{model="qwen2.5:72b",kind="http"}')).toBe(1);
    } finally {
      await exporter.stop();
    }
  });

  it('bounds model label values', async () => {
    const m = new OllamaTapMetrics(new ModelLabels(new Set(['known']), 2));
    for (const model of ['known', 'a', 'b', 'c', 'd'])
      m.recordFinal({ model, done: true, done_reason: 'stop', eval_count: 1, eval_duration: 1e9 });
    const text = await m.registry.metrics();
    expect(sample(text, 'ollama_requests_total{model="other",done_reason="stop"}')).toBe(2);
    expect(sample(text, 'ollama_requests_total{model="known",done_reason="stop"}')).toBe(1);
  });

  it('rejects a bad URL or tap address naming the flag', () => {
    const bad = (flags: Record<string, string>) => () =>
      ollamaCollector.create(
        resolveOptions(ollamaCollector.flags, new Map(Object.entries(flags))),
        { logger: silentLogger },
      );
    expect(bad({ 'ollama.url': 'ollama:11434x' })).toThrow('--ollama.url');
    expect(bad({ 'ollama.tap.listen': '11500' })).toThrow(
      '--ollama.tap.listen: "11500" is not host:port',
    );
  });
});
