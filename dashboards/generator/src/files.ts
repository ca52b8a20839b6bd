// The only module that touches disk: writes the generated JSON into dashboards/ or compares the
// committed files with what the generator builds now.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Inventory } from '@okome/provisioning';
import { buildDashboards, dashboardText } from './build';

/** dashboards/ at the repository root (this package lives in dashboards/generator). */
export const DASHBOARDS_DIR = resolve(__dirname, '..', '..');
/** The inventory whose budgets the committed dashboards carry. */
export const DEFAULT_INVENTORY = 'okome';

/** The file text as committed: the repository's Prettier style, so `prettier --check` agrees. */
export async function formattedText(path: string, text: string): Promise<string> {
  // Loaded on use: the JSON builders stay usable where Prettier cannot load (jest's VM).
  const { format, resolveConfig } = await import('prettier');
  const config = (await resolveConfig(path)) ?? {};
  return format(text, { ...config, filepath: path });
}

export async function writeDashboards(inv: Inventory, dir = DASHBOARDS_DIR): Promise<string[]> {
  const paths: string[] = [];
  for (const { file, dashboard } of buildDashboards(inv)) {
    const path = join(dir, file);
    writeFileSync(path, await formattedText(path, dashboardText(dashboard)));
    paths.push(path);
  }
  return paths;
}

export interface CheckResult {
  ok: boolean;
  /** Files whose content differs from the generator's, or that are missing. */
  stale: string[];
  /** JSON files in the folder the generator does not produce. */
  unexpected: string[];
}

export async function checkDashboards(inv: Inventory, dir = DASHBOARDS_DIR): Promise<CheckResult> {
  const built = buildDashboards(inv);
  const stale: string[] = [];
  for (const { file, dashboard } of built) {
    const path = join(dir, file);
    if (
      !existsSync(path) ||
      readFileSync(path, 'utf8') !== (await formattedText(path, dashboardText(dashboard)))
    )
      stale.push(file);
  }
  const names = new Set(built.map((b) => b.file));
  const unexpected = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.json') && !names.has(f))
    : [];
  return { ok: stale.length === 0 && unexpected.length === 0, stale, unexpected };
}
