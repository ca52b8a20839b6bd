// Runs one unit of work under a deadline. The work gets an AbortSignal so it can stop its I/O;
// if it ignores the signal its late result is discarded, never awaited.
export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatSeconds(timeoutMs)}`);
    this.name = 'TimeoutError';
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

export type Outcome<T> =
  | { ok: true; value: T; durationMs: number }
  | { ok: false; error: unknown; timedOut: boolean; durationMs: number };

export async function withTimeout<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<T>> {
  const started = performance.now();
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(1, timeoutMs));
  });
  try {
    const running = Promise.resolve().then(() => work(ac.signal));
    running.catch(() => undefined); // a late rejection after the deadline is not unhandled
    const first = await Promise.race([running.then((value) => ({ value })), expired]);
    const durationMs = performance.now() - started;
    if (first === 'timeout') {
      ac.abort(new TimeoutError(timeoutMs));
      return { ok: false, error: new TimeoutError(timeoutMs), timedOut: true, durationMs };
    }
    return { ok: true, value: first.value, durationMs };
  } catch (error) {
    return { ok: false, error, timedOut: false, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
