// Helpers for e2e tests to reach the shared local stack: its CLI and its status.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const STACK_CLI = join(ROOT, 'provisioning', 'dist', 'stack', 'cli.js');
export const STACK_OWNED_MARKER = join(ROOT, '.okome', 'e2e-owns-stack');

/** Runs `okome-stack ARGS`; throws with its output when it fails. */
export function stackCli(args: string[]): string {
  return execFileSync(process.execPath, [STACK_CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 5 * 60_000,
  });
}

export interface ComponentStatus {
  name: string;
  url: string;
  healthy: boolean;
}

export async function stackStatus(): Promise<ComponentStatus[]> {
  const res = spawnSync(process.execPath, [STACK_CLI, 'status', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) return [];
  return (JSON.parse(res.stdout) as { components: ComponentStatus[] }).components;
}

export async function stackIsUp(): Promise<boolean> {
  const comps = await stackStatus();
  return comps.length > 0 && comps.every((c) => c.healthy);
}

/** Addresses of the shared e2e stack (OKOME inventory on the simulator). */
export const STACK = {
  prometheus: ['http://127.0.86.49:9090', 'http://127.0.86.50:9090'],
  alertmanager: ['http://127.0.86.49:9093', 'http://127.0.86.50:9093'],
  controller: 'http://127.0.86.49:9700',
  preview: 'http://127.0.86.49:3000',
  simulator: 'http://127.0.0.1:9800',
  tokenFile: join(ROOT, '.okome', 'stack', 'secrets', 'controller.token'),
  derivedInventory: join(ROOT, '.okome', 'stack', 'sim', 'inventory.yaml'),
} as const;
