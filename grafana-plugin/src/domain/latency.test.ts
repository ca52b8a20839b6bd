import type { Sample } from '../api/prometheus';
import { assembleLatency, assembleSlos, rowForSlo, thresholdsFromRules } from './latency';

const row = (id: string, value: number): Sample => ({ labels: { row: id }, value });
const slo = (name: string, value: number, extra: Record<string, string> = {}): Sample => ({
  labels: { slo: name, ...extra },
  value,
});
const noSlos = {
  info: [],
  objective: [],
  remaining: [],
  periodDays: [],
  burnRates: [],
  alerts: [],
};

describe('assembleLatency', () => {
  it('splits the mean request into hops and the rest of the stream', () => {
    const { rows, stack, totalSeconds } = assembleLatency({
      quantiles: { 0.99: [row('ingress', 0.004)] },
      means: [row('ingress', 0.001), row('cache', 0.0005), row('engine-first-token', 0.2985)],
      e2eMean: 3,
      budgets: [],
      slos: noSlos,
    });
    expect(totalSeconds).toBe(3);
    expect(stack.map((s) => [s.id, s.seconds])).toEqual([
      ['ingress', 0.001],
      ['cache', 0.0005],
      ['engine-first-token', 0.2985],
      ['generation', 2.7],
    ]);
    expect(stack.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1);
    expect(rows.find((r) => r.def.id === 'ingress')?.share).toBeCloseTo(0.001 / 3);
  });

  it('says which hops have no data instead of showing zeros', () => {
    const { rows } = assembleLatency({
      quantiles: {},
      means: [row('cache', 0.001)],
      budgets: [],
      slos: noSlos,
    });
    expect(rows.filter((r) => r.hasData).map((r) => r.def.id)).toEqual(['cache']);
    expect(rows.find((r) => r.def.id === 'gateway')?.p99).toBeUndefined();
  });

  it("measures each hop's budget at its quantile", () => {
    const { rows } = assembleLatency({
      quantiles: { 0.99: [row('ingress', 0.006), row('cache', 0.0015)] },
      means: [],
      budgets: [
        { hop: 'ingress', signal: 'added', thresholdSeconds: 0.005, quantile: 0.99, objective: 99 },
        { hop: 'cache', signal: 'added', thresholdSeconds: 0.002, quantile: 0.99, objective: 99 },
      ],
      slos: noSlos,
    });
    expect(rows.find((r) => r.def.id === 'ingress')?.withinBudget).toBe(false);
    expect(rows.find((r) => r.def.id === 'cache')?.withinBudget).toBe(true);
    expect(rows.find((r) => r.def.id === 'gateway')?.withinBudget).toBeUndefined();
  });
});

describe('error budgets', () => {
  it('computes time to exhaustion at the 1h burn rate, in real time under --time-scale', () => {
    const [s] = assembleSlos({
      info: [slo('okome-ingress-latency', 1, { hop: 'ingress', okome_time_scale: '60' })],
      objective: [slo('okome-ingress-latency', 0.99)],
      remaining: [slo('okome-ingress-latency', 0.5)],
      periodDays: [slo('okome-ingress-latency', 28)],
      burnRates: [
        slo('okome-ingress-latency', 14, { __name__: 'slo:burn_rate:ratio_rate5m' }),
        slo('okome-ingress-latency', 2, { __name__: 'slo:burn_rate:ratio_rate1h' }),
      ],
      alerts: [slo('okome-ingress-latency', 1, { severity: 'page', long: '1h', short: '5m' })],
    });
    // 28d / 60 = 11.2h of real period; half the budget left at 2× burn → 2.8h.
    expect(s?.periodSeconds).toBe((28 * 86400) / 60);
    expect(s?.timeToExhaustionSeconds).toBeCloseTo((0.5 * ((28 * 86400) / 60)) / 2);
    expect(s?.burnRates.map((b) => b.window)).toEqual(['5m', '1h']);
    expect(s?.firing).toEqual([
      { slo: 'okome-ingress-latency', severity: 'page', long: '1h', short: '5m' },
    ]);
  });

  it('reports a spent budget as exhausted and an idle one as not burning', () => {
    const [spent, idle] = assembleSlos({
      ...noSlos,
      remaining: [slo('a', -0.2), slo('b', 0.9)],
      periodDays: [slo('a', 28), slo('b', 28)],
      burnRates: [slo('b', 0, { __name__: 'slo:burn_rate:ratio_rate1h' })],
    });
    expect(spent?.timeToExhaustionSeconds).toBe(0);
    expect(idle?.timeToExhaustionSeconds).toBeUndefined();
  });

  it('matches SLOs to hop rows by hop and name', () => {
    expect(rowForSlo('okome-ingress-latency', 'ingress')).toBe('ingress');
    expect(rowForSlo('okome-engine-first-token', 'engine')).toBe('engine-first-token');
    expect(rowForSlo('okome-engine-inter-token', 'engine')).toBe('engine-inter-token');
    expect(rowForSlo('okome-availability', 'ingress')).toBeUndefined();
    // An end-to-end SLO at the engine is not the first-token hop's budget.
    expect(rowForSlo('engine-e2e-latency', 'engine')).toBeUndefined();
  });
});

describe('budgets from the loaded SLO rules', () => {
  it('reads each latency SLO threshold from its SLI rule and turns it into the hop budget', () => {
    const thresholds = thresholdsFromRules([
      {
        name: 'slo:sli_error:ratio_rate5m',
        query:
          '1 - sum(rate(llm_hop_added_latency_seconds_bucket{cluster="okome",hop="ingress",le="0.005"}[5s])) / sum(rate(llm_hop_added_latency_seconds_count{cluster="okome",hop="ingress"}[5s]))',
        labels: { slo: 'ingress-added-latency' },
      },
      {
        name: 'slo:sli_error:ratio_rate5m',
        query: '1 - sum(rate(x_bucket{le=~"2(\\\\.0)?"}[5m])) / sum(rate(x_count[5m]))',
        labels: { slo: 'engine-e2e-latency' },
      },
      {
        name: 'slo:objective:ratio',
        query: 'vector(0.99)',
        labels: { slo: 'ingress-added-latency' },
      },
      {
        name: 'slo:sli_error:ratio_rate5m',
        query: 'sum(rate(errors[5m]))',
        labels: { slo: 'availability' },
      },
    ]);
    expect([...thresholds]).toEqual([
      ['ingress-added-latency', 0.005],
      ['engine-e2e-latency', 2],
    ]);
    const { rows } = assembleLatency({
      quantiles: { 0.99: [row('ingress', 0.0062)] },
      means: [],
      budgets: [],
      thresholds,
      slos: { ...noSlos, objective: [slo('ingress-added-latency', 0.99, { hop: 'ingress' })] },
    });
    const ingress = rows.find((r) => r.def.id === 'ingress');
    expect(ingress?.budget).toEqual({
      hop: 'ingress',
      signal: 'added',
      thresholdSeconds: 0.005,
      quantile: 0.99,
      objective: 99,
    });
    expect(ingress?.withinBudget).toBe(false);
  });
});
