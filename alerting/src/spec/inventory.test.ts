// The inventory's hop budgets as SLOs. `added` budgets have no histogram of their own: they
// must become time-slice SLIs on the exporters' hop-budget query (issue 7), never a selector
// on a metric nobody emits.
import { hopAddedMeanQuery } from '@okome/exporters';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { absentExpr } from '../rules/missing-data';
import { hopBudgetSlos } from './inventory';

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
});
