// Bounded load for the dashboard queries: `okome-sim load` on the real ingress path and on one
// tap per hop (the exporters' taps on the derived, loopback inventory), each for a fixed time.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseTapSpec, tapsFromInventory } from '@okome/exporters';
import type { Inventory } from '@okome/provisioning';
import { isLoopback } from '@okome/provisioning';

export const SIM_CLI = join(__dirname, '..', '..', 'simulator', 'dist', 'cli.js');

export interface LoadTarget {
  /** `ingress`, or a loopback URL. */
  target: string;
  protocol?: string;
  label: string;
}

/** The real ingress path, plus the first tap of each (hop, format) on the cluster. */
export function loadTargets(inv: Inventory): LoadTarget[] {
  const out: LoadTarget[] = [{ target: 'ingress', label: 'ingress path' }];
  const seen = new Set<string>();
  for (const node of inv.nodes)
    for (const text of tapsFromInventory(node, inv)) {
      const tap = parseTapSpec(text);
      const key = `${tap.hop}/${tap.format ?? 'auto'}`;
      const host = tap.listen.replace(/:\d+$/, '');
      if (seen.has(key) || !isLoopback(host)) continue;
      seen.add(key);
      out.push({
        target: `http://${tap.listen}`,
        protocol: tap.format === 'ndjson' ? 'ollama-chat' : 'openai-chat',
        label: `${tap.hop} tap ${tap.name} on ${node.id}`,
      });
    }
  return out;
}

export interface RunningLoad {
  stop(): void;
  done: Promise<void>;
}

/** Starts every target at `rps` for `durationSeconds`; never longer, never elsewhere than loopback. */
export function startLoad(
  inventoryPath: string,
  targets: LoadTarget[],
  opts: { rps: number; durationSeconds: number; maxTokens: number },
): RunningLoad {
  const children: ChildProcess[] = targets.map((t) =>
    spawn(
      process.execPath,
      [
        SIM_CLI,
        'load',
        '--inventory',
        inventoryPath,
        '--target',
        t.target,
        ...(t.protocol ? ['--protocol', t.protocol] : []),
        '--rps',
        String(opts.rps),
        '--duration',
        `${opts.durationSeconds}s`,
        '--concurrency',
        '8',
        '--max-tokens',
        String(opts.maxTokens),
        '--drain',
        '10s',
        '--quiet',
      ],
      { stdio: 'ignore' },
    ),
  );
  const done = Promise.all(
    children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve()))),
  ).then(() => undefined);
  return {
    done,
    stop: () => {
      for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGTERM');
    },
  };
}
