// Runs okome-controller from source as a child process (for kill -9 tests) and talks to it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const RUN_TS = join(__dirname, 'run-ts.cjs');
const CLI = join(__dirname, '..', 'cli.ts');

/** Starts the controller CLI with `args` and resolves once `/-/ready` answers on `port`. */
export async function spawnController(
  args: string[],
  port: number,
  env: Record<string, string> = {},
  readyTimeoutMs = 20_000,
): Promise<ChildProcess> {
  const c = spawn(process.execPath, [RUN_TS, CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  c.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (c.exitCode !== null) throw new Error(`controller exited ${c.exitCode}: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return c;
    if (Date.now() > deadline) {
      c.kill('SIGKILL');
      throw new Error(`controller not ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An authenticated request to the controller on 127.0.0.1:`port`. */
export function controllerApi(port: number, token: string) {
  return (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}
