export * from './inventory/schema';
export * from './inventory/errors';
export { parseInventory, loadInventory } from './inventory/load';
export type { ParseResult } from './inventory/load';
export { checkRules } from './inventory/rules';
export * from './inventory/loopback';
export * from './inventory/query';
export { inventoryJsonSchema, renderInventoryJsonSchema } from './inventory/json-schema';
