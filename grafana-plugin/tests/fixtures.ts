// What the specs share: the plugin id, the OKOME inventory (nodes, hop budgets) they expect on
// screen, the controller token they must never see, and a recorder of every response a page gets.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';

export { expect, test } from '@grafana/plugin-e2e';

export const PLUGIN_ID = 'okome-slo-app';
const ROOT = join(__dirname, '..', '..');

interface InventoryFile {
  nodes: Array<{ id: string }>;
  budgets?: { hops?: Array<{ hop: string; signal?: string; threshold: string }> };
}

/** The inventory both stacks run (docker-compose and the local stack use `okome`). */
export function okomeInventory(): InventoryFile {
  const file = join(ROOT, 'provisioning', 'inventory', 'okome.yaml');
  return parse(readFileSync(file, 'utf8')) as InventoryFile;
}

/** Latency-table row id of a hop budget (the plugin's domain/queries.ts ids). */
export function hopRowId(hop: string, signal?: string): string {
  return hop === 'engine'
    ? `engine-${signal === 'inter-token' ? 'inter-token' : 'first-token'}`
    : hop;
}

const UNIT_SECONDS: Record<string, number> = { µs: 1e-6, us: 1e-6, ms: 1e-3, s: 1 };

/** Seconds of a duration written as in the inventory ("5ms") or on the page ("< 5.00 ms"). */
export function durationSeconds(text: string): number {
  const m = /(\d+(?:\.\d+)?)\s*(µs|us|ms|s)/.exec(text);
  if (!m) throw new Error(`"${text}" holds no duration (<number> µs|ms|s)`);
  return Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
}

/**
 * The controller token the stack runs with: OKOME_CONTROLLER_TOKEN (docker-compose reads it from
 * .env), else the repository's .env, else the local stack's token file.
 */
export function controllerToken(): string {
  const fromEnv = process.env.OKOME_CONTROLLER_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const env = join(ROOT, '.env');
  if (existsSync(env)) {
    const line = /^OKOME_CONTROLLER_TOKEN=(.*)$/m.exec(readFileSync(env, 'utf8'));
    if (line?.[1]?.trim()) return line[1].trim();
  }
  const file = join(ROOT, '.okome', 'stack', 'secrets', 'controller.token');
  if (existsSync(file)) return readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
  throw new Error(
    'no controller token: set OKOME_CONTROLLER_TOKEN (as in .env for docker compose) or start the local stack',
  );
}

export interface Received {
  url: string;
  headers: string;
  body: string;
}

/** Records every response the page receives (headers and body) until read. */
export function recordResponses(page: Page): () => Promise<Received[]> {
  const pending: Array<Promise<Received>> = [];
  page.on('response', (r) => {
    pending.push(
      r.body().then(
        (b) => ({ url: r.url(), headers: JSON.stringify(r.headers()), body: b.toString('utf8') }),
        () => ({ url: r.url(), headers: JSON.stringify(r.headers()), body: '' }),
      ),
    );
  });
  return () => Promise.all(pending);
}

/** A node card's health text (after its icon). */
export const HEALTH_STATES = /^\s*(HEALTHY|DEGRADED|UNAVAILABLE|MAINTENANCE)\s*$/;
