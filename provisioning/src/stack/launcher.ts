// okome-stack: brings the local stack up (optionally on the simulator), reports its status and
// takes it down. A component that fails stops the launch with its name, command and log tail,
// and nothing it started is left running.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../inventory/load';
import { resolveInventoryPath } from '../inventory/query';
import type { Inventory } from '../inventory/schema';
import type { ComponentSpec, StackContext } from './components';
import { DEFAULT_SIM_CONTROL, STACK_COMPONENTS, simulatorComponent } from './components';
import { httpHealthy, portInUse } from './health';
import type { StackLayout } from './layout';
import { StackError } from './errors';
import { prepareStack } from './prepare';
import { isAlive, spawnLogged, stopGroup, tailLog } from './process';
import type { RunningComponent, StackState } from './state';
import { readState, writeState } from './state';

export { StackError };

export interface UpOptions {
  inventory: string;
  sim: boolean;
  timeScale?: number;
  /** host:port of the simulator's control API (default 127.0.0.1:9800). */
  simControl?: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(c: RunningComponent, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await httpHealthy(c.health)) return;
    if (!isAlive(c.pid)) {
      throw new StackError(
        `${c.name} exited during start-up\n  command: ${c.command}\n  log (${c.log}):\n${indent(tailLog(c.log))}`,
      );
    }
    await sleep(250);
  }
  throw new StackError(
    `${c.name} did not become healthy at ${c.health} within ${timeoutMs / 1000}s\n  command: ${c.command}\n  log (${c.log}):\n${indent(tailLog(c.log))}`,
  );
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

function start(layout: StackLayout, spec: ComponentSpec): RunningComponent {
  const log = join(layout.logs, `${spec.name}.log`);
  const { pid } = spawnLogged(spec.command, spec.args, log, { env: spec.env });
  return {
    name: spec.name,
    kind: spec.kind,
    url: spec.url,
    health: spec.health,
    pid,
    log,
    command: [spec.command, ...spec.args].join(' '),
  };
}

async function startAll(
  layout: StackLayout,
  state: StackState,
  specs: ComponentSpec[],
  log: (line: string) => void,
): Promise<void> {
  // Another stack (or anything else) on a component's address would answer its health check
  // and pass for it: refuse to start instead.
  const taken = await Promise.all(
    specs.map(async (spec) => ((await portInUse(spec.health)) ? spec : undefined)),
  );
  const busy = taken.filter((s): s is ComponentSpec => s !== undefined);
  if (busy.length)
    throw new StackError(
      `address already in use: ${busy.map((s) => `${s.name} (${new URL(s.health).host})`).join(', ')}; ` +
        "another okome-stack may be running ('okome-stack status', 'okome-stack down')",
    );
  const started = specs.map((spec) => {
    log(`starting ${spec.name}`);
    const c = start(layout, spec);
    state.components.push(c);
    return { c, timeout: spec.startTimeoutMs ?? 60_000 };
  });
  writeState(layout, state);
  await Promise.all(
    started.map(async ({ c, timeout }) => {
      await waitHealthy(c, timeout);
      log(`${c.name} healthy at ${c.url}`);
    }),
  );
}

/** Starts every component and returns once all are healthy; on failure stops what it started. */
export async function stackUp(layout: StackLayout, opts: UpOptions): Promise<StackState> {
  const log = opts.log ?? (() => undefined);
  for (const dir of [
    layout.dir,
    layout.logs,
    layout.data,
    layout.config,
    layout.rules,
    layout.secrets,
  ])
    mkdirSync(dir, { recursive: true });

  const inventoryPath = resolveInventoryPath(opts.inventory);
  const source = loadInventory(inventoryPath);
  const existing = readState(layout);
  if (existing && existing.components.some((c) => isAlive(c.pid))) {
    throw new StackError(
      `the stack is already up (started ${existing.startedAt}); run 'okome-stack status' or 'okome-stack down'`,
    );
  }
  const timeScale = opts.timeScale ?? (opts.sim ? 60 : 1);
  const state: StackState = {
    inventory: inventoryPath,
    cluster: source.cluster,
    sim: opts.sim,
    timeScale,
    launcherPid: process.pid,
    startedAt: new Date().toISOString(),
    components: [],
  };

  try {
    let inventory: Inventory = source;
    let effectivePath = inventoryPath;
    if (opts.sim) {
      const sim = simulatorComponent(layout, inventoryPath, timeScale, opts.simControl);
      if (!sim) throw new StackError('--sim needs the simulator: run `npm run build` first');
      await startAll(layout, state, [sim.spec], log);
      effectivePath = sim.derivedInventory;
      inventory = loadInventory(effectivePath);
    }
    const ctx: StackContext = {
      layout,
      inventory,
      inventoryPath: effectivePath,
      sim: opts.sim,
      timeScale,
      simControl: opts.simControl ?? DEFAULT_SIM_CONTROL,
    };
    await prepareStack(ctx, log);
    await startAll(
      layout,
      state,
      STACK_COMPONENTS.flatMap((factory) => factory(ctx)),
      log,
    );
    return state;
  } catch (err) {
    log('start-up failed: stopping what was started');
    await stopComponents(state.components);
    state.components = [];
    writeState(layout, state);
    throw err;
  }
}

async function stopComponents(components: RunningComponent[]): Promise<void> {
  // Reverse start order: consumers first, the simulator (which others read) last.
  const stages = [...components].reverse();
  await Promise.all(stages.filter((c) => c.kind !== 'simulator').map((c) => stopGroup(c.pid)));
  await Promise.all(stages.filter((c) => c.kind === 'simulator').map((c) => stopGroup(c.pid)));
}

/** Stops every component recorded in the state file; works after the launcher crashed. */
export async function stackDown(layout: StackLayout): Promise<RunningComponent[]> {
  const state = readState(layout);
  if (!state) return [];
  const running = state.components.filter((c) => isAlive(c.pid));
  await stopComponents(state.components);
  writeState(layout, { ...state, components: [] });
  return running;
}

export interface ComponentHealth {
  name: string;
  kind: string;
  url: string;
  pid: number;
  running: boolean;
  healthy: boolean;
}

export async function stackStatus(layout: StackLayout): Promise<ComponentHealth[]> {
  const state = readState(layout);
  if (!state) return [];
  return Promise.all(
    state.components.map(async (c) => {
      const running = isAlive(c.pid);
      return {
        name: c.name,
        kind: c.kind,
        url: c.url,
        pid: c.pid,
        running,
        healthy: running && (await httpHealthy(c.health)),
      };
    }),
  );
}
