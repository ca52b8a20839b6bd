import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inventoryJsonSchema, renderInventoryJsonSchema } from './json-schema';
import { INVENTORY_DIR } from './query';

describe('inventory JSON Schema', () => {
  it('inventory/schema.json is up to date (run `npm run schema -w @okome/provisioning`)', () => {
    // Compared as data: the file is Prettier-formatted after generation.
    const onDisk: unknown = JSON.parse(readFileSync(join(INVENTORY_DIR, 'schema.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(renderInventoryJsonSchema()));
  });

  it('lists the roles and rejects unknown fields, as the loader does', () => {
    const schema = inventoryJsonSchema() as {
      additionalProperties: boolean;
      properties: { nodes: { items: { properties: { roles: { items: { enum: string[] } } } } } };
      required: string[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['cluster', 'nodes']));
    expect(schema.properties.nodes.items.properties.roles.items.enum).toContain('gpu-core');
  });

  it('does not require fields that have defaults', () => {
    const schema = inventoryJsonSchema() as { required: string[] };
    expect(schema.required).not.toContain('slo');
  });
});
