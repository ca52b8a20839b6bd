// SLOs the inventory already states: one latency SLO per hop budget (budgets.hops), e.g.
// OKOME's ingress p99 < 5 ms, cache < 2 ms, CORE first token < 500 ms.
import type { Inventory } from '@okome/provisioning';
import { SIGNAL_METRIC } from '../conventions';
import { parseDuration } from '../duration';
import type { Matcher, Slo } from '../model';

export const HOP_SERVICE = 'token-path';

export function hopBudgetSlos(inv: Inventory): Slo[] {
  const base = inv.slo.runbookBaseUrl.replace(/\/+$/, '');
  return inv.budgets.hops.map((b) => {
    const name = `${b.hop}-${b.signal}-latency${b.node ? `-${b.node.toLowerCase()}` : ''}`;
    const matchers: Matcher[] = [{ name: 'hop', op: '=', value: b.hop }];
    if (b.node) matchers.push({ name: 'node', op: '=', value: b.node });
    return {
      name,
      cluster: inv.cluster,
      service: HOP_SERVICE,
      hop: b.hop,
      description: `${b.objective}% of requests see ${b.signal} at the ${b.hop} hop${b.node ? ` on ${b.node}` : ''} within ${b.threshold} (p${Math.round(b.quantile * 1000) / 10} budget from the inventory)`,
      objective: b.objective,
      period: inv.slo.period,
      sli: {
        kind: 'latency',
        histogram: { metric: SIGNAL_METRIC[b.signal], matchers },
        thresholdSeconds: parseDuration(b.threshold) ?? 0,
      },
      labels: { budget: 'inventory' },
      runbookUrl: `${base}/slo/${name}`,
      alerting: { pageLabels: {}, ticketLabels: {}, missingData: true },
    };
  });
}
