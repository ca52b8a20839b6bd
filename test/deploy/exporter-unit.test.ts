// The systemd exporter unit (provisioning) documents the collectors and taps that the exporter
// (exporters) derives from the inventory on its own. provisioning cannot import exporters, so
// this cross-package test keeps that text true for every node of every shipped inventory.
import { BUILTIN_COLLECTORS, tapsFromInventory } from '@okome/exporters';
import {
  SEED_CLUSTERS,
  UNIT,
  loadInventory,
  nodeUnits,
  renderExporterUnit,
  resolveInventoryPath,
} from '@okome/provisioning';

const cases = SEED_CLUSTERS.flatMap((name) => {
  const inv = loadInventory(resolveInventoryPath(name));
  return inv.nodes
    .filter((n) => nodeUnits(inv, n.id).includes(UNIT.exporter))
    .map((n) => [name, n.id, inv] as const);
});

test.each(cases)('%s %s: the collectors the unit documents exist', (_name, id, inv) => {
  const unit = renderExporterUnit(inv, id);
  const listed = /Collectors \(from the inventory\): ([^.]+)\./.exec(unit)?.[1]?.split(', ') ?? [];
  const known = new Set(BUILTIN_COLLECTORS.map((c) => c.name));
  expect(listed.filter((c) => !known.has(c))).toEqual([]);
  expect(unit).toContain(`--node=${id}`);
  // The exporter derives its taps from the inventory; the unit names the services they front.
  const node = inv.nodes.find((n) => n.id === id)!;
  for (const spec of tapsFromInventory(node, inv))
    expect(unit).toContain(spec.split('=')[0] as string);
});
