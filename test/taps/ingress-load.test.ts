// The token path through the exporters' taps on the shared stack (OKOME on the simulator, with
// `observability.taps`): plain ingress load — the simulator's own load generator aimed at
// `--target ingress`, no tap URLs of its own — must be measured at every hop: the ingress tap
// (nginx port + TAP_PORT_OFFSET), the stream nodes' cache taps behind nginx, and CORE's engine
// tap behind the ingress engine pool. And the rendered probe jobs give SLIs with no load at all.
import { loadInventory } from '@okome/provisioning';
import { ingressTarget, parseMix, runLoad } from '@okome/simulator';
import { eventually } from '../setup/eventually';
import { promQuery } from '../setup/http';
import { STACK } from '../setup/stack';

jest.setTimeout(240_000);

const PROM = STACK.prometheus[0];
type Counts = Record<'ingress' | 'cache' | 'engine', number>;

const TTFT_COUNT = 'llm_time_to_first_token_seconds_count{hop=~"ingress|cache|engine"}';

/**
 * First-token observations per hop, summed over nodes, as Prometheus has them now — only
 * series scraped in the last few seconds: the stack's TSDB outlives a restart, so within the
 * 5 min lookback a just-restarted stack still shows the previous stack's (higher) counters,
 * which turned the difference negative.
 */
async function hopCounts(): Promise<Counts> {
  const rows = await promQuery(
    PROM,
    `sum by (hop) (${TTFT_COUNT} and timestamp(${TTFT_COUNT}) > time() - 5)`,
  );
  const counts: Counts = { ingress: 0, cache: 0, engine: 0 };
  for (const r of rows) counts[r.metric.hop as keyof Counts] = Number(r.value[1]);
  return counts;
}

describe('token path through the taps (shared stack)', () => {
  const inv = loadInventory(STACK.derivedInventory);

  it('runs with taps on (okome-stack starts the simulator with --taps)', () => {
    // A stack started before taps existed routes around the exporters: restart it.
    expect(inv.observability.taps).toBe(true);
  });

  it('measures ingress, cache and engine for plain `load --target ingress`', async () => {
    const target = ingressTarget(inv);
    expect(target.urls.every((u) => u.endsWith(':18080'))).toBe(true);
    const before = await hopCounts();
    const report = await runLoad({
      target,
      model: target.model!,
      rps: 4,
      durationMs: 4_000,
      concurrency: 8,
      mix: parseMix('chat:1'),
      maxTokens: 8,
      drainMs: 30_000,
    });
    expect(report.requests.failed).toBe(0);
    const ok = report.requests.ok;
    expect(ok).toBeGreaterThan(0);
    // Other suites may add traffic at the same time, never take it away: at least `ok` each.
    // Every request passes one ingress and one cache tap; misses also reach the engine.
    await eventually(
      async () => {
        const after = await hopCounts();
        expect(after.ingress - before.ingress).toBeGreaterThanOrEqual(ok);
        expect(after.cache - before.cache).toBeGreaterThanOrEqual(ok);
        expect(after.engine - before.engine).toBeGreaterThanOrEqual(report.cache.miss);
      },
      { timeoutMs: 90_000, intervalMs: 2_000 },
    );
  });

  // Probe jobs run once a minute (a probe is a real generation), so this waits up to ~2 rounds.
  it('probes every engine and cache node through the blackbox-style probe jobs', async () => {
    await eventually(
      async () => {
        const rows = await promQuery(PROM, 'probe_success{job=~"okome-probe-.*"} == 1');
        const ok = (job: string) =>
          rows.filter((r) => r.metric.job === job).map((r) => r.metric.node);
        expect(ok('okome-probe-openai').sort()).toEqual(['CORE', 'NODE-07', 'NODE-08']);
        expect(ok('okome-probe-ollama')).toEqual(['CORE']);
        expect(ok('okome-probe-redis').sort()).toEqual([
          'NODE-03',
          'NODE-04',
          'NODE-05',
          'NODE-06',
        ]);
        // `instance` is the probed service, not the exporter that ran the probe.
        expect(rows.find((r) => r.metric.job === 'okome-probe-ollama')?.metric.instance).toMatch(
          /^http:\/\/127\.0\.86\.30:11434$/,
        );
      },
      { timeoutMs: 150_000, intervalMs: 5_000 },
    );
  });
});
