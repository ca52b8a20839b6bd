import { testInventory } from '../testing/fixtures';
import { computeNodeStatus, tokenPathEdges } from './health';
import type { QueryResults } from './health';

const inv = testInventory();
const s = (metric: Record<string, string>, value: number) => ({ metric, value });
const byId = (results: QueryResults) =>
  Object.fromEntries(computeNodeStatus(inv, results).map((n) => [n.id, n]));

describe('node health', () => {
  const up = ['NODE-01', 'CORE', 'NODE-07', 'NODE-08', 'NODE-05', 'NODE-09'].map((node) =>
    s({ node, job: 'okome-exporter' }, 1),
  );

  it('is HEALTHY when every target is up and nothing fires', () => {
    expect(Object.values(byId({ up })).map((n) => n.health)).toEqual(Array(6).fill('HEALTHY'));
  });

  it('is UNAVAILABLE when all of a node’s targets are down, DEGRADED when some are', () => {
    const r = byId({
      up: [
        ...up.filter((x) => x.metric.node !== 'CORE' && x.metric.node !== 'NODE-07'),
        s({ node: 'CORE' }, 0),
        s({ node: 'NODE-07', job: 'a' }, 0),
        s({ node: 'NODE-07', job: 'b' }, 1),
      ],
    });
    expect(r.CORE).toMatchObject({
      health: 'UNAVAILABLE',
      reasons: ['all 1 scrape target(s) down'],
    });
    expect(r['NODE-07']?.health).toBe('DEGRADED');
  });

  it('is DEGRADED on a collector down, memory over 90 % or a firing alert, and says why', () => {
    const r = byId({
      up,
      collectorsUp: [
        s({ __name__: 'gpu_arbiter_up', node: 'CORE' }, 0),
        s({ __name__: 'redis_up', node: 'NODE-05' }, 1),
      ],
      gpuMemory: [s({ node: 'NODE-07' }, 0.95)],
      alerts: [s({ alertname: 'OkomeBackendDown', okome_backend: 'NODE-08' }, 1)],
    });
    expect(r.CORE).toMatchObject({ health: 'DEGRADED', reasons: ['gpu_arbiter_up = 0'] });
    expect(r['NODE-07']).toMatchObject({ health: 'DEGRADED', reasons: ['memory 95 % > 90 %'] });
    expect(r['NODE-08']).toMatchObject({ health: 'DEGRADED', firingAlerts: ['OkomeBackendDown'] });
    expect(r['NODE-05']?.health).toBe('HEALTHY');
  });

  describe('service signals (probes and the service collectors’ *_up)', () => {
    // CORE runs vLLM and Ollama here; its exporter keeps answering while the engines are gone.
    const inv2 = testInventory();
    inv2.nodes[1]!.services.push({ name: 'ollama', kind: 'ollama', port: 11434 });
    const probe = (node: string, service: string, v: number) =>
      s({ __name__: 'probe_success', node, service, job: 'probeOpenai' }, v);
    const byId2 = (results: QueryResults) =>
      Object.fromEntries(computeNodeStatus(inv2, results).map((n) => [n.id, n]));

    it('is UNAVAILABLE when every service signal is down, though the exporter is up', () => {
      const r = byId2({
        up,
        probes: [probe('CORE', 'vllm', 0), probe('CORE', 'ollama', 0), probe('NODE-07', 'vllm', 1)],
        collectorsUp: [
          s({ __name__: 'ollama_up', node: 'CORE' }, 0),
          s({ __name__: 'gpu_arbiter_up', node: 'CORE' }, 1),
        ],
      });
      expect(r.CORE).toMatchObject({
        health: 'UNAVAILABLE',
        reasons: [
          'all 3 service signal(s) down: probe of vllm failing, probe of ollama failing, ollama_up = 0',
        ],
      });
      expect(r['NODE-07']?.health).toBe('HEALTHY');
    });

    it('is DEGRADED when only some are down, naming each', () => {
      const r = byId2({
        up,
        probes: [probe('CORE', 'vllm', 1), probe('CORE', 'ollama', 0)],
        collectorsUp: [s({ __name__: 'ollama_up', node: 'CORE' }, 0)],
      });
      expect(r.CORE).toMatchObject({
        health: 'DEGRADED',
        reasons: ['probe of ollama failing', 'ollama_up = 0'],
      });
    });

    it('does not count a collector of a service the node does not run, nor the exporter', () => {
      // NODE-07 runs vLLM only: ollama_up there is a misconfigured collector, not its service.
      const r = byId2({
        up,
        probes: [probe('NODE-07', 'vllm', 1)],
        collectorsUp: [s({ __name__: 'ollama_up', node: 'NODE-07' }, 0)],
      });
      expect(r['NODE-07']).toMatchObject({ health: 'DEGRADED', reasons: ['ollama_up = 0'] });
    });

    it('keeps MAINTENANCE over an outage, and HEALTHY when the services answer', () => {
      const m = testInventory();
      m.nodes[1]!.maintenance = true;
      const down = { up, probes: [probe('CORE', 'vllm', 0)] };
      expect(computeNodeStatus(m, down)[1]?.health).toBe('MAINTENANCE');
      expect(computeNodeStatus(inv, down)[1]?.health).toBe('UNAVAILABLE');
      expect(computeNodeStatus(inv, { up, probes: [probe('CORE', 'vllm', 1)] })[1]?.health).toBe(
        'HEALTHY',
      );
    });
  });

  it('reports MAINTENANCE from the inventory and UNKNOWN without data', () => {
    const m = testInventory();
    m.nodes[1]!.maintenance = true;
    expect(computeNodeStatus(m, { up })[1]?.health).toBe('MAINTENANCE');
    expect(computeNodeStatus(inv, {})[0]?.health).toBe('UNKNOWN');
  });

  it('carries the key numbers per node', () => {
    const r = byId({
      up,
      gpuMemoryByEngine: [s({ node: 'CORE', engine: 'vllm' }, 2 ** 33)],
      tokensPerSecond: [s({ node: 'CORE' }, 48.3)],
      ttftP95: [s({ node: 'CORE' }, NaN)],
    });
    expect(r.CORE?.numbers).toEqual({
      gpuMemoryByEngine: { vllm: 2 ** 33 },
      tokensPerSecond: 48.3,
      cacheHitRatio: undefined,
      ttftP95Seconds: undefined,
      memoryRatio: undefined,
    });
  });
});

describe('token path edges', () => {
  it('links pool frontends to backends and the role tiers in order', () => {
    const edges = tokenPathEdges(inv);
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'NODE-01', to: 'CORE', kind: 'pool', pool: 'engine' },
        { from: 'NODE-05', to: 'NODE-07', kind: 'path' },
      ]),
    );
    expect(edges.some((e) => e.from === 'NODE-01' && e.to === 'NODE-05' && e.kind === 'path')).toBe(
      true,
    );
  });
});
