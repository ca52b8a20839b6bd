// `okome-sim up`: foreground (until a signal) or --detach (a background child, returns when ready).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { resolveInventoryPath } from '@okome/provisioning';
import { createControlServer } from '../cluster/control';
import { derivedInventoryPath } from '../cluster/runfile';
import { Simulator } from '../cluster/sim';
import { parseListen } from '../util/net';
import { sleep } from '../util/time';

export interface UpOptions {
  inventory: string;
  stateDir: string;
  seed: number;
  controlListen: string;
  timeScale: number;
  detach: boolean;
  /** Exporters run beside it: keep the inventory's `observability.taps`. */
  taps?: boolean;
  argv: string[];
}

const log = (line: string) => process.stderr.write(`okome-sim: ${line}\n`);

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      rej(
        new Error(
          err.code === 'EADDRINUSE'
            ? `--control-listen: ${host}:${port} is already in use (is another okome-sim running?)`
            : `--control-listen: ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => res());
  });
}

export async function up(opts: UpOptions): Promise<number> {
  const control = parseListen(opts.controlListen, '--control-listen');
  const stateDir = resolve(opts.stateDir);
  const inventoryPath = resolveInventoryPath(opts.inventory);
  if (opts.detach) return detach(opts, stateDir, `http://${control.host}:${control.port}`);

  await Simulator.cleanStale(stateDir, log);
  const sim = Simulator.prepare({
    inventoryPath,
    stateDir,
    seed: opts.seed,
    controlUrl: `http://${control.host}:${control.port}`,
    log,
    taps: opts.taps,
    timeScale: opts.timeScale,
  });
  // The control API answers from the start: /-/ready says 503 until every node is up.
  const server = createControlServer(() => sim);
  await listen(server, control.host, control.port);
  let stopping = false;
  let starting = true;
  let signalled: string | undefined;
  const shutdown = async (why: string) => {
    if (stopping) {
      log('second signal: exiting now');
      process.exit(1);
    }
    // A signal while starting waits for start to settle, so no child is left half started.
    if (starting) {
      signalled = why;
      return;
    }
    stopping = true;
    log(`${why}: stopping`);
    await sim.stop();
    server.close();
    server.closeAllConnections();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await sim.start();
  } catch (err) {
    server.close();
    throw err;
  } finally {
    starting = false;
  }
  if (signalled) await shutdown(signalled);
  process.on('uncaughtException', (err) =>
    log(`internal error (kept running): ${err.stack ?? err.message}`),
  );
  process.on('unhandledRejection', (err) =>
    log(`internal error (kept running): ${(err as Error)?.stack ?? String(err)}`),
  );
  log(
    `control API on http://${control.host}:${control.port} (state dir ${stateDir}, time scale ${opts.timeScale})`,
  );
  process.stdout.write(`${sim.derivedPath}\n`);
  return new Promise<number>(() => undefined); // runs until a signal
}

async function detach(opts: UpOptions, stateDir: string, controlUrl: string): Promise<number> {
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, 'sim.log');
  const fd = openSync(logFile, 'a');
  const args = opts.argv.filter((a) => a !== '--detach');
  const child = spawn(process.execPath, [process.argv[1] as string, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
      process.stderr.write(`okome-sim: failed to start (exit ${exited}):\n${tail}\n`);
      return 1;
    }
    try {
      const res = await fetch(`${controlUrl}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        const state = (await (await fetch(`${controlUrl}/state`)).json()) as { pid: number };
        if (state.pid === child.pid) {
          process.stdout.write(`${derivedInventoryPath(stateDir)}\n`);
          return 0;
        }
      }
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  process.stderr.write(`okome-sim: not ready after 120 s; see ${logFile}\n`);
  try {
    process.kill(child.pid as number, 'SIGTERM');
  } catch {
    /* gone */
  }
  return 1;
}
