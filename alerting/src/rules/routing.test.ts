import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { routingGroup } from './routing';
import type { AlertingRule } from './types';

const okome = loadInventory(resolveInventoryPath('okome'));
const find = (rules: AlertingRule[], alert: string, backend: string) =>
  rules.filter((r) => r.alert === alert && r.labels?.okome_backend === backend);

describe('routing alerts from the OKOME inventory', () => {
  const { group } = routingGroup(okome, 1);
  const rules = group.rules as AlertingRule[];

  it('disables a down engine backend and drains one over its first-token or GPU budget', () => {
    expect(find(rules, 'OkomeBackendDown', 'CORE')[0]).toMatchObject({
      for: '1m',
      labels: {
        okome_action: 'disable',
        okome_pool: 'engine',
        node: 'CORE',
        severity: 'critical',
        cluster: 'okome',
      },
    });
    const ttft = find(rules, 'OkomeBackendFirstTokenBudget', 'CORE')[0];
    expect(ttft?.labels).toMatchObject({ okome_action: 'drain', okome_pool: 'engine' });
    expect(ttft?.expr).toMatch(/^histogram_quantile\(0\.99, .*node="CORE".*\[5m\]\)\)\) > 0\.5$/);
    expect(find(rules, 'OkomeGpuMemoryOverBudget', 'CORE')[0]?.expr).toContain('engine="vllm"');
  });

  it('only alerts on budgets and caches the inventory gives', () => {
    // The first-token budget is CORE's own; the speculative GPUs have none.
    expect(find(rules, 'OkomeBackendFirstTokenBudget', 'NODE-07')).toEqual([]);
    expect(find(rules, 'OkomeCacheNodeDown', 'NODE-03')[0]?.labels).toMatchObject({
      okome_action: 'disable',
      okome_pool: 'stream',
    });
    expect(find(rules, 'OkomeCacheNodeDown', 'CORE')).toEqual([]);
  });

  it('compresses `for` and ranges with the time scale so the simulator reroutes in seconds', () => {
    const scaled = routingGroup(okome, 60).group;
    expect(scaled.name).toBe('okome-slo:okome:routing:timescale-60');
    const down = find(scaled.rules as AlertingRule[], 'OkomeBackendDown', 'CORE')[0];
    // 1m / 60 would be 1s: one slow scrape at the simulator's 1 s interval. Three evaluations.
    expect(down?.for).toBe('3s');
    expect(down?.expr).toContain('[5s]');
    // CORE serves the engine pool with vLLM: its slow Ollama probe must not count.
    expect(down?.expr).toContain('service=~"vllm|"');
    expect(down?.labels?.okome_time_scale).toBe('60');
  });
});
