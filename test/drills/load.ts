// Bounded background load through both ingress nodes while a drill runs, with the simulator's
// stream client (exported by @okome/simulator); counts what clients saw. Loopback only.
import { streamCompletion } from '@okome/simulator';

export interface LoadTally {
  sent: number;
  ok: number;
  failed: number;
}

const INGRESS = ['http://127.0.86.41:8080', 'http://127.0.86.42:8080'];

/** Runs `concurrency` request loops until stop() (or maxMs / maxRequests), then resolves. */
export function backgroundLoad(
  opts: { concurrency?: number; maxMs?: number; maxRequests?: number } = {},
): {
  stop(): Promise<LoadTally>;
} {
  const tally: LoadTally = { sent: 0, ok: 0, failed: 0 };
  const ac = new AbortController();
  const until = Date.now() + (opts.maxMs ?? 180_000);
  const max = opts.maxRequests ?? 2000;
  const loops = Array.from({ length: opts.concurrency ?? 2 }, async (_, i) => {
    while (!ac.signal.aborted && Date.now() < until && tally.sent < max) {
      tally.sent++;
      const r = await streamCompletion({
        url: INGRESS[(tally.sent + i) % INGRESS.length] as string,
        protocol: 'openai-chat',
        model: 'qwen2.5-32b-instruct-awq',
        prompt: `drill load ${i}`,
        maxTokens: 8,
        timeoutMs: 15_000,
        idleTimeoutMs: 10_000,
        headers: { cookie: `okome_session=drill-${i}` },
        signal: ac.signal,
      }).catch(() => undefined);
      if (ac.signal.aborted) break;
      if (r?.ok) tally.ok++;
      else tally.failed++;
      await new Promise((res) => setTimeout(res, 100));
    }
  });
  return {
    async stop() {
      ac.abort();
      await Promise.all(loops);
      return tally;
    },
  };
}
