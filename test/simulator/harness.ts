// Finds or starts a simulator for an e2e suite. Order: OKOME_SIM_URL (a control API URL), the
// simulator the shared stack started on 127.0.0.1:9800 (if it simulates the same cluster),
// else a private `okome-sim up --detach` in a temp state dir, stopped again by `stop()`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInventory } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import { ROOT } from '../setup/stack';

const run = promisify(execFile);
export const SIM_CLI = join(ROOT, 'simulator', 'dist', 'cli.js');

export interface SimState {
  cluster: string;
  inventory: string;
  stateDir: string;
  pid: number;
  ready: boolean;
  nodes: Array<{
    id: string;
    address: string;
    state: string;
    services: Array<{
      name: string;
      kind: string;
      port: number;
      up: boolean;
      pid?: number;
      state?: string;
    }>;
  }>;
  faults: Array<{ id: string; node: string; kind: string }>;
}

export interface SimHandle {
  controlUrl: string;
  inventory: Inventory;
  inventoryPath: string;
  /** True when this suite started the simulator (and so may stop it). */
  owned: boolean;
  state(): Promise<SimState>;
  fault(body: Record<string, unknown>): Promise<{ id: string }>;
  clear(id: string): Promise<void>;
  stop(): Promise<void>;
}

async function stateAt(controlUrl: string): Promise<SimState | undefined> {
  try {
    const res = await fetch(`${controlUrl}/state`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as SimState) : undefined;
  } catch {
    return undefined;
  }
}

/** The process is gone, or a zombie nobody has reaped yet (it no longer runs). */
export function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export function cli(args: string[], timeout = 120_000) {
  return run(process.execPath, [SIM_CLI, ...args], { cwd: ROOT, timeout, encoding: 'utf8' });
}

function handle(
  controlUrl: string,
  inventoryPath: string,
  owned: boolean,
  stateDir?: string,
): SimHandle {
  return {
    controlUrl,
    inventoryPath,
    inventory: loadInventory(inventoryPath),
    owned,
    state: async () => {
      const s = await stateAt(controlUrl);
      if (!s) throw new Error(`simulator at ${controlUrl} does not answer`);
      return s;
    },
    fault: async (body) => {
      const res = await fetch(`${controlUrl}/faults`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      if (res.status !== 201)
        throw new Error(
          `POST /faults ${JSON.stringify(body)}: HTTP ${res.status} ${await res.text()}`,
        );
      return (await res.json()) as { id: string };
    },
    clear: async (id) => {
      await fetch(`${controlUrl}/faults/${id}`, { method: 'DELETE' });
    },
    stop: async () => {
      if (!owned || !stateDir) return;
      await cli(['down', '--state-dir', stateDir]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A simulator of `cluster` ready to use; `controlPort` is used only when one is started. */
export async function acquireSimulator(cluster: string, controlPort: number): Promise<SimHandle> {
  const candidates = [process.env.OKOME_SIM_URL, 'http://127.0.0.1:9800'].filter(
    (u): u is string => !!u,
  );
  for (const url of candidates) {
    const s = await stateAt(url);
    if (s?.cluster === cluster && s.ready) return handle(url, s.inventory, false);
  }
  const stateDir = mkdtempSync(join(tmpdir(), `okome-sim-e2e-${cluster}-`));
  const controlUrl = `http://127.0.0.1:${controlPort}`;
  const { stdout } = await cli([
    'up',
    '--inventory',
    cluster,
    '--state-dir',
    stateDir,
    '--control-listen',
    `127.0.0.1:${controlPort}`,
    '--detach',
  ]);
  return handle(controlUrl, stdout.trim(), true, stateDir);
}
