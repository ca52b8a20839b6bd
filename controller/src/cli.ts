#!/usr/bin/env node
// okome-controller: see --help.
import { CONTROLLER_USAGE, parseControllerArgs } from './cli-args';
import { ControllerError } from './errors';
import { startController } from './main';

async function main(): Promise<number> {
  const args = parseControllerArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(CONTROLLER_USAGE + '\n');
    return 0;
  }
  const running = await startController(args);
  process.stderr.write(
    `okome-controller: listening on ${running.url} (inventory ${running.engine.inventory.cluster}, state ${args.stateDir}${args.dryRun ? ', DRY RUN' : ''})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg =
      err instanceof ControllerError || (err as { name?: string })?.name === 'InventoryError'
        ? (err as Error).message
        : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`okome-controller: ${msg}\n`);
    process.exit(2);
  },
);
