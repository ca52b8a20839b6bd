// The editor-facing JSON Schema of an inventory, generated from the zod schema so the two
// never drift (a snapshot test compares it with inventory/schema.json).
import { z } from 'zod';
import { inventorySchema } from './schema';

export const INVENTORY_SCHEMA_ID = 'https://okome.dev/schemas/inventory.json';

/** JSON Schema (draft 2020-12) of what may be written in an inventory file. */
export function inventoryJsonSchema(): Record<string, unknown> {
  // `input`: fields with defaults are optional in the file, as the loader treats them.
  const schema = z.toJSONSchema(inventorySchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: schema.$schema,
    $id: INVENTORY_SCHEMA_ID,
    title: 'OKOME cluster inventory',
    description:
      'One cluster: nodes, services, GPUs, routing pools, hop budgets, SLOs and drills. ' +
      'Generated from provisioning/src/inventory/schema.ts by `npm run schema -w @okome/provisioning` — do not edit.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The file text of inventory/schema.json. */
export function renderInventoryJsonSchema(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}
