import { E2E_BUCKETS, ITL_BUCKETS, TTFT_BUCKETS } from './buckets';
import { OtelExportError, TokenLatencyMetrics } from './metrics';

const labels = { hop: 'cache', engine: 'vllm', model: 'qwen2.5-32b-instruct-awq', node: 'NODE-03' };

describe('TokenLatencyMetrics (OpenTelemetry → Prometheus text)', () => {
  it('buckets are vLLM plus the SLO edges 0.04, 0.45 and 2.0', () => {
    for (const b of [TTFT_BUCKETS, ITL_BUCKETS, E2E_BUCKETS]) {
      expect(b).toEqual(expect.arrayContaining([0.04, 0.45, 2]));
      expect([...b].sort((x, y) => x - y)).toEqual(b);
    }
    expect(TTFT_BUCKETS).toContain(2560);
    expect(ITL_BUCKETS).toContain(0.075);
  });

  it('prints the contract names exactly: units in the name, no scope labels, no _total_total', async () => {
    const m = new TokenLatencyMetrics();
    m.record({ labels, ttft: 0.42, itl: [0.02, 0.03], e2e: 1.5, outputTokens: 3, promptTokens: 9 });
    m.record({ labels, itl: [], e2e: 0.1, failure: 'timeout' });
    const text = await m.render();
    for (const name of [
      'llm_time_to_first_token_seconds',
      'llm_inter_token_latency_seconds',
      'llm_time_per_output_token_seconds',
      'llm_e2e_request_latency_seconds',
    ])
      expect(text).toContain(`# TYPE ${name} histogram`);
    for (const name of [
      'llm_requests_total',
      'llm_request_failures_total',
      'llm_generation_tokens_total',
      'llm_prompt_tokens_total',
    ])
      expect(text).toContain(`# TYPE ${name} counter`);
    expect(text).not.toMatch(/_total_total|otel_scope|target_info|_seconds_seconds/);
    const l = 'hop="cache",engine="vllm",model="qwen2.5-32b-instruct-awq",node="NODE-03"';
    expect(text).toContain(`llm_requests_total{${l}} 2`);
    expect(text).toContain(`llm_request_failures_total{${l},kind="timeout"} 1`);
    expect(text).toContain(`llm_generation_tokens_total{${l}} 3`);
    expect(text).toContain(`llm_prompt_tokens_total{${l}} 9`);
    expect(text).toContain(`llm_time_to_first_token_seconds_bucket{${l},le="0.45"} 1`);
    expect(text).toContain(`llm_time_to_first_token_seconds_bucket{${l},le="0.25"} 0`);
    expect(text).toContain(`llm_inter_token_latency_seconds_count{${l}} 2`);
    // TPOT = (1.5 - 0.42) / (3 - 1)
    expect(text).toContain(`llm_time_per_output_token_seconds_sum{${l}} 0.54`);
    await m.shutdown();
  });

  it('bounds the model label: names past maxModels become "other"', async () => {
    const m = new TokenLatencyMetrics({ maxModels: 2 });
    for (const model of ['a', 'b', 'c', 'd']) m.record({ labels: { ...labels, model }, itl: [] });
    const text = await m.render();
    expect(text).toContain('model="a"');
    expect(text).toContain('model="b"');
    expect(text).not.toContain('model="c"');
    expect(text).toMatch(/llm_requests_total\{[^}]*model="other"[^}]*\} 2/);
    await m.shutdown();
  });

  it('keeps more than OTel’s default 2000 series per metric before overflowing', async () => {
    const m = new TokenLatencyMetrics({ maxModels: 5000 });
    for (let i = 0; i < 2500; i++) m.record({ labels: { ...labels, model: `m${i}` }, itl: [] });
    const text = await m.render();
    expect(text).not.toContain('otel_metric_overflow');
    expect(text.split('\n').filter((l) => l.startsWith('llm_requests_total{')).length).toBe(2500);
    await m.shutdown();
  });

  it('throws OtelExportError once the provider is shut down (the scrape must answer 5xx)', async () => {
    const m = new TokenLatencyMetrics();
    await m.shutdown();
    await expect(m.render()).rejects.toBeInstanceOf(OtelExportError);
  });
});
