#!/usr/bin/env node
// Writes inventory/schema.json from the zod schema: `npm run schema -w @okome/provisioning`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderInventoryJsonSchema } from '../inventory/json-schema';
import { INVENTORY_DIR } from '../inventory/query';

const target = join(INVENTORY_DIR, 'schema.json');
writeFileSync(target, renderInventoryJsonSchema());
process.stdout.write(`wrote ${target}\n`);
