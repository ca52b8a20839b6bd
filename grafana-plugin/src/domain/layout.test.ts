/**
 * @jest-environment node
 */
// The diagram must place every node of every seed inventory (3 to 12 nodes) without overlaps,
// keep the token path left to right, and draw each pool's frontend → backend edges.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import type { PoolRouting, TopologyNode } from '../api/controllerTypes';
import { laneOf, layoutTopology } from './layout';
import type { Box } from './layout';

const dir = join(__dirname, '..', '..', '..', 'provisioning', 'inventory');
const inventories = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => [f, loadInventory(join(dir, f))] as [string, Inventory]);

function asTopology(inv: Inventory): { nodes: TopologyNode[]; pools: PoolRouting[] } {
  return {
    nodes: inv.nodes.map((n) => ({
      id: n.id,
      hostname: n.hostname,
      roles: [...n.roles],
      health: 'HEALTHY',
      reasons: [],
      services: [],
      gpus: [],
      firingAlerts: [],
    })),
    pools: inv.routing.pools.map((p) => ({
      name: p.name,
      hop: p.hop,
      frontends: p.frontends,
      backends: p.backends.map((b) => ({ node: b.node, state: 'enabled' as const })),
    })),
  };
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('topology layout for the seed inventories', () => {
  it('has all five seed clusters to lay out', () => {
    expect(inventories.map(([f]) => f).sort()).toEqual([
      'blackroad.yaml',
      'brain-in-jar.yaml',
      'garage-ai.yaml',
      'kage-bunshin.yaml',
      'okome.yaml',
    ]);
  });

  it.each(inventories)(
    '%s: every node placed once, inside the canvas, no two cards overlapping',
    (_f, inv) => {
      const { nodes, pools } = asTopology(inv);
      const layout = layoutTopology(nodes, [], pools);
      expect([...layout.nodes.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
      const boxes = [...layout.nodes.values()];
      for (const b of boxes) {
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.y).toBeGreaterThanOrEqual(0);
        expect(b.x + b.w).toBeLessThanOrEqual(layout.width);
        expect(b.y + b.h).toBeLessThanOrEqual(layout.height);
      }
      boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => expect(overlap(a, b)).toBe(false)));
    },
  );

  it.each(inventories)(
    '%s: the token path runs left to right and each pool edge is drawn',
    (_f, inv) => {
      const { nodes, pools } = asTopology(inv);
      const layout = layoutTopology(nodes, [], pools);
      const xOf = (lane: string) =>
        nodes.filter((n) => laneOf(n) === lane).map((n) => layout.nodes.get(n.id)?.x ?? NaN);
      const ingress = xOf('ingress');
      const engines = xOf('engine');
      if (ingress.length && engines.length) {
        expect(Math.max(...ingress)).toBeLessThan(Math.min(...engines));
      }
      const expected = pools.flatMap((p) =>
        p.frontends.flatMap((f) =>
          p.backends.filter((b) => b.node !== f).map((b) => `${f}>${b.node}`),
        ),
      );
      expect(layout.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(
        [...new Set(expected)].sort(),
      );
    },
  );
});

describe('edges carry the routing state', () => {
  it('marks an edge to a drained backend', () => {
    const nodes: TopologyNode[] = ['NODE-01', 'CORE'].map((id) => ({
      id,
      hostname: id,
      roles: id === 'CORE' ? ['gpu-core'] : ['ingress'],
      health: 'HEALTHY',
      reasons: [],
      services: [],
      gpus: [],
      firingAlerts: [],
    }));
    const pools: PoolRouting[] = [
      { name: 'engine', frontends: ['NODE-01'], backends: [{ node: 'CORE', state: 'drain' }] },
    ];
    const layout = layoutTopology(nodes, [], pools);
    expect(layout.edges).toEqual([
      expect.objectContaining({ from: 'NODE-01', to: 'CORE', pool: 'engine', state: 'drain' }),
    ]);
  });
});
