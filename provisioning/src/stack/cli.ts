#!/usr/bin/env node
// okome-stack up|status|down: the local stack of DESIGN.md §9.
import { parseArgs } from 'node:util';
import { InventoryError } from '../inventory/errors';
import { stackLayout } from './layout';
import { StackError, stackDown, stackStatus, stackUp } from './launcher';
import type { StackState } from './state';

const HELP = `usage: okome-stack <command> [options]

commands:
  up       start the stack; foreground until Ctrl-C unless --detach
             --inventory NAME|FILE   cluster inventory (default: okome)
             --sim                   run on the simulator (a fake cluster on loopback)
             --time-scale N          divide alert windows and hold-downs by N (default 60 with --sim)
             --detach                return once every component is healthy
             --sim-control HOST:PORT simulator control API (default 127.0.0.1:9800); with its
                                     own --state-dir, a second stack (another inventory) runs
                                     beside the first
  status   show each component, its URL and health   [--json]
  down     stop every component the stack started (also after a crash)

options:
  --state-dir DIR   where pids, logs, data and configs live (default .okome/stack)
  -h, --help        this help

exit codes: 0 ok, 1 a component failed or is unhealthy, 2 bad usage`;

const log = (line: string) => console.log(`[okome-stack] ${line}`);

function printUrls(state: StackState): void {
  console.log(
    `\nOKOME stack for cluster "${state.cluster}"${state.sim ? ' on the simulator' : ''} is up:`,
  );
  const width = Math.max(...state.components.map((c) => c.name.length));
  for (const c of state.components) console.log(`  ${c.name.padEnd(width)}  ${c.url}`);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        inventory: { type: 'string', default: 'okome' },
        sim: { type: 'boolean', default: false },
        'time-scale': { type: 'string' },
        detach: { type: 'boolean', default: false },
        'sim-control': { type: 'string' },
        json: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`okome-stack: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const layout = stackLayout(values['state-dir']);

  switch (command) {
    case 'up': {
      let timeScale: number | undefined;
      if (values['time-scale'] !== undefined) {
        timeScale = Number(values['time-scale']);
        if (!Number.isFinite(timeScale) || timeScale < 1) {
          console.error(
            `okome-stack: --time-scale must be a number ≥ 1, got "${values['time-scale']}"`,
          );
          return 2;
        }
      }
      const simControl = values['sim-control'];
      if (simControl !== undefined && !/^[\w.-]+:\d{1,5}$/.test(simControl)) {
        console.error(`okome-stack: --sim-control must be HOST:PORT, got "${simControl}"`);
        return 2;
      }
      const state = await stackUp(layout, {
        inventory: values.inventory,
        sim: values.sim,
        timeScale,
        simControl,
        log,
      });
      printUrls(state);
      if (values.detach) {
        console.log(`\nStop it with: okome-stack down   (logs in ${layout.logs})`);
        return 0;
      }
      console.log('\nPress Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        process.once('SIGHUP', stop);
      });
      log('stopping');
      const stopped = await stackDown(layout);
      log(`stopped ${stopped.length} components`);
      return 0;
    }
    case 'status': {
      const comps = await stackStatus(layout);
      if (values.json) {
        console.log(JSON.stringify({ components: comps }, null, 2));
      } else if (comps.length === 0) {
        console.log('the stack is not running');
      } else {
        const width = Math.max(...comps.map((c) => c.name.length));
        for (const c of comps)
          console.log(
            `${c.name.padEnd(width)}  ${c.healthy ? 'healthy  ' : c.running ? 'UNHEALTHY' : 'STOPPED  '}  ${c.url}`,
          );
      }
      return comps.length > 0 && comps.every((c) => c.healthy) ? 0 : 1;
    }
    case 'down': {
      const stopped = await stackDown(layout);
      log(
        stopped.length ? `stopped ${stopped.map((c) => c.name).join(', ')}` : 'nothing was running',
      );
      return 0;
    }
    default:
      console.error(`okome-stack: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError || err instanceof InventoryError) {
      console.error(`okome-stack: ${err.message}`);
      process.exit(1);
    }
    console.error(err);
    process.exit(1);
  },
);
