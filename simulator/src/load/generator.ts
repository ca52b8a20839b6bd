// The load generator: an open-loop request schedule at `rps`, capped by `concurrency`,
// bounded by count and time, only to loopback. It measures what clients see.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { streamCompletion } from '../client/stream-client';
import type { ErrorKind, StreamProtocol, StreamResult } from '../client/stream-client';
import { assertLoopbackUrl } from '../util/net';
import { sleep } from '../util/time';
import { CACHED_PROMPTS, pickKind, uniquePrompt } from './mix';
import type { Mix, MixKind } from './mix';
import { summarize } from './stats';
import type { Summary } from './stats';
import type { LoadTarget } from './target';

export interface LoadOptions {
  target: LoadTarget;
  model: string;
  rps: number;
  durationMs: number;
  concurrency: number;
  mix: Mix;
  maxTokens?: number;
  /** After `durationMs`, in-flight requests get this long to finish, then are cut. */
  drainMs?: number;
  /** Per-request silence before it counts as a hang. */
  idleTimeoutMs?: number;
  sessions?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  progressEveryMs?: number;
}

export interface LoadProgress {
  elapsedMs: number;
  sent: number;
  completed: number;
  inFlight: number;
  errors: number;
  tokens: number;
  ttftP50Ms: number;
}

export interface LoadReport {
  target: string;
  protocol: StreamProtocol;
  model: string;
  rps: number;
  durationSeconds: number;
  elapsedSeconds: number;
  concurrency: number;
  requests: {
    planned: number;
    sent: number;
    ok: number;
    failed: number;
    delayedByConcurrency: number;
  };
  byKind: Record<string, { sent: number; ok: number }>;
  ttftMs: Summary;
  itlMs: Summary;
  tpotMs: Summary;
  e2eMs: Summary;
  tokens: { total: number; perSecond: number; perRequestMean: number };
  errors: Partial<Record<ErrorKind, number>>;
  errorSamples: string[];
  cache: { hit: number; miss: number; error: number };
  servedBy: Record<string, number>;
}

function protocolFor(base: StreamProtocol, kind: MixKind): StreamProtocol {
  if (kind !== 'generate') return base;
  return base.startsWith('ollama') ? 'ollama-generate' : 'openai-completion';
}

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  if (!(opts.rps > 0)) throw new Error('--rps: must be greater than 0');
  if (!(opts.durationMs > 0)) throw new Error('--duration: must be greater than 0');
  if (!(opts.concurrency >= 1)) throw new Error('--concurrency: must be at least 1');
  for (const u of opts.target.urls) assertLoopbackUrl(u);
  const planned = Math.max(1, Math.floor((opts.rps * opts.durationMs) / 1000));
  const runId = randomBytes(4).toString('hex');
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency + 8 });
  const sessions = Array.from({ length: opts.sessions ?? 32 }, (_, i) => `load-${runId}-${i}`);
  let seed = (opts.seed ?? 1) >>> 0;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const results: Array<{ kind: MixKind; r: StreamResult }> = [];
  const byKind: LoadReport['byKind'] = {};
  let inFlight = 0;
  let sent = 0;
  let delayed = 0;
  let tokens = 0;
  const waiters: Array<() => void> = [];
  const cutoff = new AbortController();
  const onOuterAbort = () => cutoff.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const t0 = performance.now();
  const running: Array<Promise<void>> = [];

  const progress = () => {
    const ttfts = results.map((x) => x.r.ttftMs).filter((v): v is number => v !== undefined);
    opts.onProgress?.({
      elapsedMs: performance.now() - t0,
      sent,
      completed: results.length,
      inFlight,
      errors: results.filter((x) => !x.r.ok).length,
      tokens,
      ttftP50Ms: summarize(ttfts).p50,
    });
  };
  const ticker = setInterval(progress, opts.progressEveryMs ?? 1000);

  try {
    for (let i = 0; i < planned; i++) {
      if (cutoff.signal.aborted) break;
      const due = (i * 1000) / opts.rps;
      const wait = due - (performance.now() - t0);
      if (wait > 0) await sleep(wait, cutoff.signal).catch(() => undefined);
      if (performance.now() - t0 >= opts.durationMs || cutoff.signal.aborted) break;
      if (inFlight >= opts.concurrency) {
        delayed++;
        await new Promise<void>((resolve) => waiters.push(resolve));
        if (performance.now() - t0 >= opts.durationMs || cutoff.signal.aborted) break;
      }
      const kind = pickKind(opts.mix, random());
      const prompt =
        kind === 'cached'
          ? (CACHED_PROMPTS[i % CACHED_PROMPTS.length] as string)
          : uniquePrompt(i, runId);
      const url = opts.target.urls[i % opts.target.urls.length] as string;
      const session = sessions[Math.floor(random() * sessions.length)] as string;
      byKind[kind] = byKind[kind] ?? { sent: 0, ok: 0 };
      (byKind[kind] as { sent: number }).sent++;
      sent++;
      inFlight++;
      const p = streamCompletion({
        url,
        protocol: protocolFor(opts.target.protocol, kind),
        model: opts.model,
        prompt,
        maxTokens: opts.maxTokens,
        signal: cutoff.signal,
        agent,
        idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
        timeoutMs: opts.durationMs + (opts.drainMs ?? 60_000),
        headers: opts.target.sticky ? { cookie: `okome_session=${session}` } : {},
        onToken: () => {
          tokens++;
        },
      }).then((r) => {
        inFlight--;
        results.push({ kind, r });
        if (r.ok) (byKind[kind] as { ok: number }).ok++;
        waiters.shift()?.();
      });
      running.push(p);
    }
    // Drain: let in-flight requests finish, bounded.
    const drain = Promise.all(running);
    const limit = sleep(opts.drainMs ?? 60_000).then(() =>
      cutoff.abort(new Error('drain time over')),
    );
    await Promise.race([drain, limit]);
    await drain;
  } finally {
    clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onOuterAbort);
    for (const w of waiters.splice(0)) w();
    agent.destroy();
  }
  progress();
  const elapsed = performance.now() - t0;
  const ok = results.filter((x) => x.r.ok);
  const errors: LoadReport['errors'] = {};
  const samples: string[] = [];
  const cache = { hit: 0, miss: 0, error: 0 };
  const servedBy: Record<string, number> = {};
  for (const { r } of results) {
    if (r.error) {
      errors[r.error.kind] = (errors[r.error.kind] ?? 0) + 1;
      if (samples.length < 5) samples.push(`${r.error.kind}: ${r.error.message}`);
    }
    const c = r.headers['x-okome-cache'];
    if (c === 'hit' || c === 'miss' || c === 'error') cache[c]++;
    const by =
      (r.headers['x-okome-stream-node'] as string | undefined) ??
      (r.headers['x-okome-upstream'] as string | undefined);
    if (by) servedBy[by] = (servedBy[by] ?? 0) + 1;
  }
  const totalTokens = results.reduce((s, x) => s + x.r.completionTokens, 0);
  return {
    target: opts.target.description,
    protocol: opts.target.protocol,
    model: opts.model,
    rps: opts.rps,
    durationSeconds: opts.durationMs / 1000,
    elapsedSeconds: elapsed / 1000,
    concurrency: opts.concurrency,
    requests: {
      planned,
      sent,
      ok: ok.length,
      failed: results.length - ok.length,
      delayedByConcurrency: delayed,
    },
    byKind,
    ttftMs: summarize(ok.map((x) => x.r.ttftMs).filter((v): v is number => v !== undefined)),
    itlMs: summarize(ok.flatMap((x) => x.r.itlMs)),
    tpotMs: summarize(
      ok
        .filter((x) => x.r.itlMs.length > 0 && x.r.ttftMs !== undefined)
        .map((x) => (x.r.e2eMs - (x.r.ttftMs as number)) / x.r.itlMs.length),
    ),
    e2eMs: summarize(ok.map((x) => x.r.e2eMs)),
    tokens: {
      total: totalTokens,
      perSecond: totalTokens / (elapsed / 1000),
      perRequestMean: ok.length ? ok.reduce((s, x) => s + x.r.completionTokens, 0) / ok.length : 0,
    },
    errors,
    errorSamples: samples,
    cache,
    servedBy,
  };
}
