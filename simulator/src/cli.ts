#!/usr/bin/env node
// okome-sim: command-line entry (see cli/messages.ts for usage).
import { parseArgs } from 'node:util';
import { InventoryError } from '@okome/provisioning';
import { load, UsageError } from './cli/load';
import { USAGE } from './cli/messages';
import { down, status } from './cli/status';
import { up } from './cli/up';
import { SimError } from './cluster/sim';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    allowPositionals: false,
    strict: true,
    options: {
      inventory: { type: 'string' },
      'state-dir': { type: 'string', default: '.okome/sim' },
      seed: { type: 'string', default: '1' },
      detach: { type: 'boolean', default: false },
      taps: { type: 'boolean', default: false },
      'control-listen': { type: 'string', default: '127.0.0.1:9800' },
      'time-scale': { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      target: { type: 'string' },
      rps: { type: 'string', default: '2' },
      duration: { type: 'string', default: '60s' },
      concurrency: { type: 'string', default: '16' },
      mix: { type: 'string', default: 'chat:1' },
      model: { type: 'string' },
      protocol: { type: 'string' },
      'max-tokens': { type: 'string' },
      drain: { type: 'string', default: '60s' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'up': {
      if (!values.inventory) throw new UsageError('up: --inventory FILE|NAME is required');
      const seed = Number(values.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new UsageError(`--seed: expected a whole number ≥ 0, got "${values.seed}"`);
      const timeScale = Number(values['time-scale']);
      if (!Number.isFinite(timeScale) || timeScale <= 0)
        throw new UsageError(`--time-scale: expected a number > 0, got "${values['time-scale']}"`);
      return up({
        inventory: values.inventory,
        stateDir: values['state-dir'] as string,
        seed,
        controlListen: values['control-listen'] as string,
        timeScale,
        detach: !!values.detach,
        taps: !!values.taps,
        argv,
      });
    }
    case 'status':
      return status(values['state-dir'] as string, !!values.json);
    case 'down':
      return down(values['state-dir'] as string);
    case 'load':
      if (!values.target) throw new UsageError('load: --target ingress|URL is required');
      return load({
        inventory: values.inventory,
        target: values.target,
        rps: values.rps as string,
        duration: values.duration as string,
        concurrency: values.concurrency as string,
        mix: values.mix as string,
        model: values.model,
        protocol: values.protocol,
        maxTokens: values['max-tokens'],
        drain: values.drain as string,
        json: !!values.json,
        quiet: !!values.quiet,
      });
    default:
      throw new UsageError(`unknown command "${command}" (expected up, status, down, load)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      const usage =
        err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(
        `okome-sim: ${err instanceof InventoryError ? `invalid inventory:\n${err.message}` : err.message}\n`,
      );
      if (usage) process.stderr.write("Run 'okome-sim --help' for usage.\n");
      process.exitCode =
        usage || err instanceof InventoryError ? 2 : err instanceof SimError ? 1 : 1;
    },
  );
}
