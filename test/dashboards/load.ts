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
  /** Needed where the target cannot say which model it serves (proxies in front of engines). */
  model?: string;
  label: string;
}

/** The first model an engine of this kind serves in the inventory. */
function modelOf(inv: Inventory, kind: 'vllm' | 'ollama'): string | undefined {
  for (const n of inv.nodes)
    for (const s of n.services) if (s.kind === kind && s.models?.length) return s.models[0];
  return inv.models.find((m) => m.engine === kind)?.name;
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
      const ollama = tap.format === 'ndjson';
      out.push({
        target: `http://${tap.listen}`,
        protocol: ollama ? 'ollama-chat' : 'openai-chat',
        model: modelOf(inv, ollama ? 'ollama' : 'vllm'),
        label: `${tap.hop} tap ${tap.name} on ${node.id}`,
      });
    }
  return out;
}

export interface RunningLoad {
  stop(): void;
  done: Promise<void>;
  /** Loads that exited with an error so far, with what they printed. */
  failures(): string[];
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
        ...(t.model ? ['--model', t.model] : []),
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
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  const stderr = children.map(() => '');
  children.forEach((c, i) => c.stderr?.on('data', (d: Buffer) => (stderr[i] += d.toString())));
  const done = Promise.all(
    children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve()))),
  ).then(() => undefined);
  return {
    done,
    failures: () =>
      children.flatMap((c, i) =>
        c.exitCode !== null && c.exitCode !== 0
          ? [`${targets[i]?.label}: exit ${c.exitCode}: ${stderr[i]?.trim()}`]
          : [],
      ),
    stop: () => {
      for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGTERM');
    },
  };
}
