import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { TokenLatencyMetrics } from './metrics';
import { serializeMetrics } from './serialize';

/** series (name + sorted labels) → value, ignoring comments and line order. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const labels = (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    out.set(`${m[1]}{${labels.sort().join(',')}}`, Number(m[3]));
  }
  return out;
}

describe('serializeMetrics', () => {
  it('prints the same samples and types as OTel’s PrometheusSerializer (no scope, no target_info)', async () => {
    const m = new TokenLatencyMetrics({ cardinalityLimit: 5, maxModels: 100 });
    for (let i = 0; i < 8; i++)
      m.record({
        labels: { hop: 'cache', engine: 'vllm', model: `m"${i}\\x`, node: 'NODE-03' },
        ttft: 0.01 * i,
        itl: [0.02, 0.5],
        e2e: 1 + i,
        outputTokens: 10,
        promptTokens: 3,
        ...(i % 2 ? { failure: 'timeout' as const } : {}),
      });
    const { resourceMetrics } = await m.collectRaw();
    const ours = serializeMetrics(resourceMetrics);
    const theirs = new PrometheusSerializer('', false, undefined, true, true).serialize(
      resourceMetrics,
    );
    expect(samples(ours)).toEqual(samples(theirs));
    expect(samples(ours).size).toBeGreaterThan(100);
    // Past the cardinality limit OTel folds series into otel_metric_overflow="true"; kept as is.
    expect(ours).toContain('otel_metric_overflow="true"');
    const types = (t: string) =>
      t
        .split('\n')
        .filter((l) => l.startsWith('# TYPE'))
        .sort();
    expect(types(ours)).toEqual(types(theirs));
    await m.shutdown();
  });
});
