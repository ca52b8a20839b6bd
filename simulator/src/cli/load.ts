// `okome-sim load`.
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import type { StreamProtocol } from '../client/stream-client';
import { runLoad } from '../load/generator';
import { parseMix } from '../load/mix';
import { formatProgress, formatReport } from '../load/report';
import { discoverModel, ingressTarget, urlTarget } from '../load/target';
import type { LoadTarget } from '../load/target';
import { parseDuration } from '../util/time';

export interface LoadCliOptions {
  inventory?: string;
  target: string;
  rps: string;
  duration: string;
  concurrency: string;
  mix: string;
  model?: string;
  protocol?: string;
  maxTokens?: string;
  drain: string;
  json: boolean;
  quiet: boolean;
}

const PROTOCOLS = ['openai-chat', 'openai-completion', 'ollama-chat', 'ollama-generate'];

function num(flag: string, v: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${flag}: expected a ${integer ? 'whole ' : ''}number > 0, got "${v}"`);
  return n;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export async function load(o: LoadCliOptions): Promise<number> {
  const rps = num('--rps', o.rps);
  const concurrency = num('--concurrency', o.concurrency, true);
  const durationMs = parseDuration(o.duration);
  if (!durationMs) throw new UsageError(`--duration: expected e.g. 60s or 2m, got "${o.duration}"`);
  if (durationMs > 3_600_000) throw new UsageError('--duration: at most 1h');
  if (rps * (durationMs / 1000) > 100_000)
    throw new UsageError('--rps × --duration: at most 100000 requests per run');
  const drainMs = parseDuration(o.drain);
  if (drainMs === undefined) throw new UsageError(`--drain: expected a duration, got "${o.drain}"`);
  let mix;
  try {
    mix = parseMix(o.mix);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (o.protocol && !PROTOCOLS.includes(o.protocol))
    throw new UsageError(`--protocol: expected one of ${PROTOCOLS.join(', ')}`);
  const maxTokens = o.maxTokens ? num('--max-tokens', o.maxTokens, true) : undefined;
  let target: LoadTarget;
  if (o.target === 'ingress') {
    if (!o.inventory) throw new UsageError('--target ingress needs --inventory');
    target = ingressTarget(loadInventory(resolveInventoryPath(o.inventory)));
    if (o.protocol) target.protocol = o.protocol as StreamProtocol;
  } else {
    try {
      target = urlTarget(o.target, o.protocol as StreamProtocol | undefined, o.model);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const model =
    o.model ?? target.model ?? (await discoverModel(target.urls[0] as string, target.protocol));
  if (!model)
    throw new UsageError('--model: the target did not say which model it serves; pass --model');
  if (!o.quiet)
    process.stderr.write(
      `okome-sim load: ${target.description}, model ${model}, ${rps} rps for ${durationMs / 1000}s, concurrency ${concurrency}\n`,
    );
  const ac = new AbortController();
  const onSig = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSig);
  const tty = process.stderr.isTTY;
  const report = await runLoad({
    target,
    model,
    rps,
    durationMs,
    concurrency,
    mix,
    maxTokens,
    drainMs,
    signal: ac.signal,
    onProgress: o.quiet
      ? undefined
      : (p) =>
          process.stderr.write(tty ? `\r${formatProgress(p)}\u001b[K` : `${formatProgress(p)}\n`),
  });
  process.off('SIGINT', onSig);
  if (!o.quiet && tty) process.stderr.write('\n');
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}
