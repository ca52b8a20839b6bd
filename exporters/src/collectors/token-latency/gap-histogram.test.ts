import { hrTime } from '@opentelemetry/core';
import * as sdk from '@opentelemetry/sdk-metrics';
import { GapHistogram } from './gap-histogram';
import { TokenLatencyMetrics } from './metrics';
import { serializeMetrics } from './serialize';

const histogram = (cardinalityLimit = 100) =>
  new GapHistogram({
    name: 'gap_seconds',
    description: 'Gaps.',
    unit: 's',
    boundaries: [0.01, 0.05, 0.1],
    cardinalityLimit,
    sdk,
    hrTime,
  });

const text = async (h: GapHistogram) => serializeMetrics((await h.collect()).resourceMetrics);

describe('GapHistogram (inter-token gaps, read by the OTel reader as a MetricProducer)', () => {
  it('counts a value into the first bucket whose bound it does not exceed, cumulative in the text', async () => {
    const h = histogram();
    const attrs = { hop: 'cache', node: 'NODE-03' };
    for (const v of [0.005, 0.01, 0.02, 0.1, 0.5]) h.record(attrs, v);
    const out = await text(h);
    expect(out).toContain('# TYPE gap_seconds histogram');
    expect(out).toContain('gap_seconds_bucket{hop="cache",node="NODE-03",le="0.01"} 2');
    expect(out).toContain('gap_seconds_bucket{hop="cache",node="NODE-03",le="0.05"} 3');
    expect(out).toContain('gap_seconds_bucket{hop="cache",node="NODE-03",le="0.1"} 4');
    expect(out).toContain('gap_seconds_bucket{hop="cache",node="NODE-03",le="+Inf"} 5');
    expect(out).toContain('gap_seconds_count{hop="cache",node="NODE-03"} 5');
    expect(out).toMatch(/gap_seconds_sum\{hop="cache",node="NODE-03"\} 0\.635/);
  });

  it('puts equal label sets in one series, whatever object or key order carries them', async () => {
    const h = histogram();
    h.record({ hop: 'cache', node: 'NODE-03' }, 0.02);
    h.record({ node: 'NODE-03', hop: 'cache' }, 0.02);
    h.record({ hop: 'engine', node: 'NODE-03' }, 0.02);
    const out = await text(h);
    expect(out).toContain('gap_seconds_count{hop="cache",node="NODE-03"} 2');
    expect(out).toContain('gap_seconds_count{hop="engine",node="NODE-03"} 1');
    expect(out.match(/# TYPE/g)).toHaveLength(1);
  });

  it('a label set changed after its first record keeps counting where it started', async () => {
    const h = histogram();
    const attrs: Record<string, string> = { hop: 'cache' };
    h.record(attrs, 0.02);
    attrs.hop = 'engine';
    h.record(attrs, 0.02);
    expect(await text(h)).toContain('gap_seconds_count{hop="cache"} 2');
  });

  it('ignores NaN and negative values', async () => {
    const h = histogram();
    h.record({ hop: 'cache' }, NaN);
    h.record({ hop: 'cache' }, -0.01);
    h.record({ hop: 'cache' }, 0.02);
    expect(await text(h)).toContain('gap_seconds_count{hop="cache"} 1');
  });

  it('past the cardinality limit, further label sets share OTel’s overflow series', async () => {
    const h = histogram(3);
    for (const model of ['a', 'b', 'c', 'd']) h.record({ model }, 0.02);
    const out = await text(h);
    expect(out).toContain('gap_seconds_count{model="a"} 1');
    expect(out).toContain('gap_seconds_count{model="b"} 1');
    expect(out).toContain('gap_seconds_count{otel_metric_overflow="true"} 2');
    expect(out).not.toContain('model="c"');
  });

  it('has no family before the first gap', async () => {
    expect(await text(histogram())).toBe('');
  });

  it('comes out of TokenLatencyMetrics once, next to the SDK instruments, in ITL buckets', async () => {
    const m = new TokenLatencyMetrics();
    const labels = { hop: 'cache', engine: 'vllm', model: 'm', node: 'NODE-03' };
    m.recordGap(labels, 0.03);
    m.record({ labels, ttft: 0.2, itl: [0.045], e2e: 1, outputTokens: 3 });
    const out = await m.render();
    const l = 'hop="cache",engine="vllm",model="m",node="NODE-03"';
    expect(out.match(/# TYPE llm_inter_token_latency_seconds histogram/g)).toHaveLength(1);
    expect(out).toContain(`llm_inter_token_latency_seconds_bucket{${l},le="0.025"} 0`);
    expect(out).toContain(`llm_inter_token_latency_seconds_bucket{${l},le="0.04"} 1`);
    expect(out).toContain(`llm_inter_token_latency_seconds_bucket{${l},le="0.05"} 2`);
    expect(out).toContain(`llm_inter_token_latency_seconds_count{${l}} 2`);
    expect(out).toContain(`llm_time_to_first_token_seconds_count{${l}} 1`);
    await m.shutdown();
  });
});
