// Small lookups every consumer of an inventory needs, so none of them re-walks the node list.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Inventory, InventoryNode, Role, Service, ServiceKind } from './schema';

export function nodeById(inv: Inventory, id: string): InventoryNode | undefined {
  return inv.nodes.find((n) => n.id === id);
}

export function nodesWithRole(inv: Inventory, role: Role): InventoryNode[] {
  return inv.nodes.filter((n) => n.roles.includes(role));
}

export function servicesOfKind(node: InventoryNode, kind: ServiceKind): Service[] {
  return node.services.filter((s) => s.kind === kind);
}

export function serviceByName(node: InventoryNode, name: string): Service | undefined {
  return node.services.find((s) => s.name === name);
}

/** Folder of the inventories shipped with the project. */
export const INVENTORY_DIR = resolve(__dirname, '..', '..', 'inventory');

export const SEED_CLUSTERS = [
  'okome',
  'kage-bunshin',
  'garage-ai',
  'blackroad',
  'brain-in-jar',
] as const;

/** Accepts a path or a shipped cluster name (`okome` → provisioning/inventory/okome.yaml). */
export function resolveInventoryPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const shipped = join(INVENTORY_DIR, `${nameOrPath}.yaml`);
  if (existsSync(shipped)) return shipped;
  return resolve(nameOrPath);
}
