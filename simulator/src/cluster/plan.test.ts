import {
  isLoopback,
  loadInventory,
  parseInventory,
  resolveInventoryPath,
  SEED_CLUSTERS,
} from '@okome/provisioning';
import { stringify } from 'yaml';
import { engineRoute } from './node';
import { planSimulation } from './plan';

describe('planSimulation: the derived inventory', () => {
  it.each(SEED_CLUSTERS)(
    '%s: valid, on loopback, marked simulated, tools under the state dir',
    (name) => {
      const inv = loadInventory(resolveInventoryPath(name));
      const { derived } = planSimulation(inv, '/state', true);
      expect(derived.simulated).toBe(true);
      for (const n of derived.nodes) expect(isLoopback(n.address)).toBe(true);
      // Same schema and rules as any inventory (what every other component will load).
      const reparsed = parseInventory(stringify(derived), 'inventory.yaml');
      expect(reparsed.problems).toEqual([]);
      for (const n of derived.nodes) {
        if (n.gpus.some((g) => g.vendor === 'nvidia'))
          expect(n.tools?.nvidiaSmi).toBe(`/state/nodes/${n.id}/bin/nvidia-smi`);
        if (n.gpus.some((g) => g.vendor === 'amd'))
          expect(n.tools?.rocmSmi).toBe(`/state/nodes/${n.id}/bin/rocm-smi`);
        if (inv.routing.pools.some((p) => p.frontends.includes(n.id))) {
          expect(n.tools?.nginxConf).toBe(`/state/nodes/${n.id}/nginx/nginx.conf`);
          expect(n.tools?.nginxUpstreamDir).toBe(`/state/nodes/${n.id}/nginx/upstreams`);
        }
      }
    },
  );

  it('okome: 4 real redis, 2 nginx, observability nodes idle, CORE on 127.0.86.30', () => {
    const plan = planSimulation(loadInventory(resolveInventoryPath('okome')), '/s', true);
    expect(plan.redisCount).toBe(4);
    expect(plan.nginxCount).toBe(2);
    expect(plan.nodes.filter((n) => n.idle).map((n) => n.node.id)).toEqual(['NODE-09', 'NODE-10']);
    expect(plan.derived.nodes.find((n) => n.id === 'CORE')?.address).toBe('127.0.86.30');
  });

  it('moves ports below 1024 up by 8000 when not root, everywhere they appear', () => {
    const inv = loadInventory(resolveInventoryPath('okome'));
    inv.routing.pools[0] = {
      ...(inv.routing.pools[0] as (typeof inv.routing.pools)[number]),
      listenPort: 80,
    };
    const asUser = planSimulation(inv, '/s', false).derived;
    const asRoot = planSimulation(inv, '/s', true).derived;
    expect(asUser.routing.pools[0]?.listenPort).toBe(8080);
    expect(asRoot.routing.pools[0]?.listenPort).toBe(80);
  });

  it('stream nodes reach the engine pool through the ingress nginx frontends, spread over them', () => {
    const { derived } = planSimulation(loadInventory(resolveInventoryPath('okome')), '/s', true);
    const routes = ['NODE-03', 'NODE-04', 'NODE-05', 'NODE-06'].map((id) =>
      engineRoute(derived, id),
    );
    for (const r of routes) {
      expect(r.protocol).toBe('openai-chat');
      expect(r.defaultModel).toBe('qwen2.5-32b-instruct-awq');
      expect(r.candidates.map((c) => c.url).sort()).toEqual([
        'http://127.0.86.41:8000',
        'http://127.0.86.42:8000',
      ]);
    }
    expect(new Set(routes.map((r) => r.candidates[0]?.via)).size).toBe(2);
  });

  describe('straight to the engines (no ingress frontend for the engine pool)', () => {
    // OKOME's engine pool without its nginx frontends: stream nodes dial CORE, then NODE-07/08.
    const direct = (taps: boolean) => {
      const inv = loadInventory(resolveInventoryPath('okome'));
      inv.routing.pools = inv.routing.pools.map((p) =>
        p.hop === 'engine' ? { ...p, frontends: [] } : p,
      );
      return engineRoute(planSimulation(inv, '/s', true, { taps }).derived, 'NODE-03');
    };

    it("goes through each engine's tap (port + 10000) when the token path is tapped", () => {
      const r = direct(true);
      expect(r.candidates.map((c) => c.via)).toEqual(['CORE/vllm', 'NODE-07/vllm', 'NODE-08/vllm']);
      expect(r.candidates.map((c) => c.url)).toEqual([
        'http://127.0.86.30:18000',
        'http://127.0.86.47:18000',
        'http://127.0.86.48:18000',
      ]);
    });

    it('dials the engines themselves when taps are off (nothing listens on the tap ports)', () => {
      expect(direct(false).candidates.map((c) => c.url)).toEqual([
        'http://127.0.86.30:8000',
        'http://127.0.86.47:8000',
        'http://127.0.86.48:8000',
      ]);
    });

    it('with no engine pool at all, still through the taps of every engine', () => {
      const inv = loadInventory(resolveInventoryPath('okome'));
      inv.routing.pools = inv.routing.pools.filter((p) => p.hop !== 'engine');
      const r = engineRoute(planSimulation(inv, '/s', true, { taps: true }).derived, 'NODE-03');
      expect(r.candidates.find((c) => c.via === 'CORE/ollama')?.url).toBe(
        'http://127.0.86.30:21434',
      );
      expect(r.candidates.find((c) => c.via === 'CORE/vllm')?.url).toBe('http://127.0.86.30:18000');
    });
  });
});
