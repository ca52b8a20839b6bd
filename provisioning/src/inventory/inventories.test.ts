// The shipped inventories are data every package reads: each must load cleanly and keep the
// facts its seed gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from './load';
import { INVENTORY_DIR, SEED_CLUSTERS, nodeById, nodesWithRole } from './query';

describe('shipped inventories', () => {
  it.each(SEED_CLUSTERS)('%s.yaml loads without problems', (name) => {
    const inv = loadInventory(join(INVENTORY_DIR, `${name}.yaml`));
    expect(inv.cluster).toBe(name);
    expect(nodesWithRole(inv, 'observability').length).toBeGreaterThanOrEqual(1);
  });

  it.each(SEED_CLUSTERS)('%s.yaml points editors at the JSON Schema', (name) => {
    const text = readFileSync(join(INVENTORY_DIR, `${name}.yaml`), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
  });

  it('okome keeps the seed 000 layout and budgets', () => {
    const inv = loadInventory(join(INVENTORY_DIR, 'okome.yaml'));
    expect(nodeById(inv, 'CORE')?.address).toBe('192.168.86.30');
    expect(nodeById(inv, 'OKOME')?.address).toBe('192.168.86.25');
    const edge = inv.nodes.filter((n) => n.id.startsWith('NODE-'));
    expect(edge.map((n) => n.address)).toEqual(
      Array.from({ length: 10 }, (_, i) => `192.168.86.${41 + i}`),
    );
    expect(nodesWithRole(inv, 'observability').map((n) => n.id)).toEqual(['NODE-09', 'NODE-10']);
    const budget = (hop: string, signal: string) =>
      inv.budgets.hops.find((b) => b.hop === hop && b.signal === signal)?.threshold;
    expect(budget('ingress', 'added')).toBe('5ms');
    expect(budget('cache', 'added')).toBe('2ms');
    expect(budget('engine', 'first-token')).toBe('500ms');
    const engine = inv.routing.pools.find((p) => p.name === 'engine');
    expect(engine?.failoverOrder).toEqual(['CORE', 'NODE-07', 'NODE-08']);
    const stream = inv.routing.pools.find((p) => p.name === 'stream');
    expect(stream?.balance).toBe('hash');
    expect(stream?.stickyKey).toBe('$cookie_okome_session');
  });

  it('kage-bunshin keeps the seed 001 load balancer', () => {
    const inv = loadInventory(join(INVENTORY_DIR, 'kage-bunshin.yaml'));
    const [pool] = inv.routing.pools;
    expect(pool).toMatchObject({
      listenPort: 11435,
      balance: 'least_conn',
      maxFails: 2,
      failTimeout: '30s',
      nextUpstream: true,
    });
    expect(pool?.backends.map((b) => b.node)).toEqual(['node-gpu-mobile', 'node-gpu-primary']);
  });

  it('garage-ai targets 99.9 % and < 100 ms regional latency', () => {
    const inv = loadInventory(join(INVENTORY_DIR, 'garage-ai.yaml'));
    expect(inv.slo.availability).toBe(99.9);
    expect(inv.budgets.hops.find((b) => b.hop === 'ingress')?.threshold).toBe('100ms');
    expect(inv.nodes.flatMap((n) => n.services).some((s) => s.kind === 'vllm')).toBe(true);
    expect(inv.observability.remoteWrite?.kind).toBe('victoriametrics');
  });

  it('blackroad is CPU-only with Redis', () => {
    const inv = loadInventory(join(INVENTORY_DIR, 'blackroad.yaml'));
    expect(inv.nodes.every((n) => n.gpus.length === 0)).toBe(true);
    expect(inv.nodes.flatMap((n) => n.services).some((s) => s.kind === 'redis')).toBe(true);
  });

  it('brain-in-jar has a Jetson GPU and health thresholds', () => {
    const inv = loadInventory(join(INVENTORY_DIR, 'brain-in-jar.yaml'));
    expect(nodeById(inv, 'jetson')?.gpus).toHaveLength(1);
    expect(inv.health?.degradedMemoryPercent).toBe(90);
  });
});
