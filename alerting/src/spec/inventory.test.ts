// The inventory's hop budgets as SLOs. `added` budgets have no histogram of their own: they
// must become time-slice SLIs on the exporters' hop-budget query (issue 7), never a selector
// on a metric nobody emits.
import { hopAddedMeanQuery } from '@okome/exporters';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { absentExpr } from '../rules/missing-data';
import { hopBudgetSlos, tokenPathOf } from './inventory';

const okome = loadInventory(resolveInventoryPath('okome'));

describe('hop budget SLOs from the OKOME inventory', () => {
  it('an added budget is a time slice on the hop-budget query, per node of the hop', () => {
    const cache = hopBudgetSlos(okome).find((s) => s.name === 'cache-added-latency')!;
    expect(cache.sli).toMatchObject({
      kind: 'threshold',
      op: 'lte',
      value: 0.002,
      query: hopAddedMeanQuery('cache', 'engine', {
        window: '5m',
        matchers: 'cluster="okome"',
        by: ['node'],
      }),
    });
  });

  it('the slice range follows --time-scale (5m → 5s at 60)', () => {
    const ingress = hopBudgetSlos(okome, 60).find((s) => s.name === 'ingress-added-latency')!;
    expect(ingress.sli.kind === 'threshold' && ingress.sli.query).toContain('[5s]');
    expect(ingress.sli.kind === 'threshold' && ingress.sli.query).not.toContain('[5m]');
  });

  it('missing data means the first-token counters of both hops, not an idle slice', () => {
    const ingress = hopBudgetSlos(okome).find((s) => s.name === 'ingress-added-latency')!;
    const expr = absentExpr(ingress);
    for (const hop of ['ingress', 'cache'])
      for (const part of ['sum', 'count'])
        expect(expr).toContain(
          `absent(llm_time_to_first_token_seconds_${part}{hop="${hop}",cluster="okome"})`,
        );
    expect(expr).not.toContain('rate(');
  });

  it('no SLO reads a per-request added-latency metric', () => {
    const text = JSON.stringify(hopBudgetSlos(okome));
    expect(text).not.toContain('llm_hop_added_latency_seconds');
  });

  it('first-token and inter-token budgets stay latency SLIs on the tap histograms', () => {
    const core = hopBudgetSlos(okome).find((s) => s.name === 'engine-first-token-latency-core')!;
    expect(core.sli).toEqual({
      kind: 'latency',
      histogram: {
        metric: 'llm_time_to_first_token_seconds',
        matchers: [
          { name: 'hop', op: '=', value: 'engine' },
          { name: 'node', op: '=', value: 'CORE' },
        ],
      },
      thresholdSeconds: 0.5,
    });
  });

  it('the next hop is the next one this cluster has: Kage Bunshin ingress is followed by its engines', () => {
    const kage = loadInventory(resolveInventoryPath('kage-bunshin'));
    expect(tokenPathOf(kage)).toEqual(['ingress', 'engine']);
    expect(tokenPathOf(okome)).toEqual(['ingress', 'cache', 'engine']);
    const ingress = hopBudgetSlos(kage).find((s) => s.name === 'ingress-added-latency')!;
    expect(ingress.sli.kind === 'threshold' && ingress.sli.query).toContain('hop="engine"');
    expect(ingress.sli.kind === 'threshold' && ingress.sli.query).not.toContain('hop="cache"');
  });

  it('a cache hop that is only Redis (BlackRoad) is timed by the Redis collector, not by a missing tap', () => {
    const blackroad = loadInventory(resolveInventoryPath('blackroad'));
    const cache = hopBudgetSlos(blackroad).find((s) => s.name === 'cache-added-latency')!;
    expect(cache.sli).toMatchObject({ kind: 'threshold', op: 'lte', value: 0.002 });
    const q = cache.sli.kind === 'threshold' ? cache.sli.query : '';
    expect(q).toContain('redis_commands_duration_seconds_total{cluster="blackroad"}');
    expect(q).not.toContain('llm_');
    expect(absentExpr(cache)).toContain('absent(redis_commands_total{cluster="blackroad"})');
  });

  it('an added budget on a hop the cluster cannot measure is an error naming it', () => {
    const kage = loadInventory(resolveInventoryPath('kage-bunshin'));
    const bad = {
      ...kage,
      budgets: {
        ...kage.budgets,
        hops: [{ ...kage.budgets.hops[0]!, hop: 'engine' as const, signal: 'added' as const }],
      },
    };
    expect(() => hopBudgetSlos(bad)).toThrow(
      /kage-bunshin: budgets.hops: an "added" budget for hop "engine"/,
    );
  });
});
