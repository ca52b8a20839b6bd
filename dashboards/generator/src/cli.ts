#!/usr/bin/env node
// okome-dashboards write|check [--inventory FILE|NAME] [--out DIR]
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { InventoryError, loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { checkDashboards, DASHBOARDS_DIR, DEFAULT_INVENTORY, writeDashboards } from './files';

const HELP = `okome-dashboards write|check [--inventory FILE|NAME] [--out DIR]

  write   Generate the six OKOME dashboards into DIR (default: the repository's dashboards/)
  check   Exit 1 when a committed dashboard differs from what the generator builds

Options:
  --inventory FILE|NAME  Inventory whose budgets set the thresholds (default: okome)
  --out DIR              Folder of the dashboard JSON files
  -h, --help             Show this help

Exit codes: 0 ok, 1 stale dashboards or invalid inventory, 2 bad usage.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        inventory: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`okome-dashboards: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command] = positionals;
  if (command !== 'write' && command !== 'check') {
    process.stderr.write(
      `okome-dashboards: expected "write" or "check"${command ? `, got "${command}"` : ''}\n\n${HELP}`,
    );
    return 2;
  }
  let inv;
  try {
    inv = loadInventory(resolveInventoryPath(values.inventory ?? DEFAULT_INVENTORY));
  } catch (err) {
    if (err instanceof InventoryError) {
      process.stderr.write(`okome-dashboards: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const dir = values.out ?? DASHBOARDS_DIR;
  if (command === 'write') {
    for (const p of await writeDashboards(inv, dir))
      process.stdout.write(`wrote ${relative(process.cwd(), p) || p}\n`);
    return 0;
  }
  const res = await checkDashboards(inv, dir);
  for (const f of res.stale)
    process.stdout.write(`stale: ${f} (run: npm run generate -w dashboards/generator)\n`);
  for (const f of res.unexpected) process.stdout.write(`not generated: ${f}\n`);
  if (res.ok) process.stdout.write('dashboards are up to date\n');
  return res.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`okome-dashboards: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
