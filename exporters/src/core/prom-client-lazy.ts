// prom-client (with the @opentelemetry/api it requires, ~2–3 MiB of RSS) serves the collectors
// that build their metrics in a registry (gpu, ollama, per-scrape ctx.registry). A collector that
// writes its own text (redis) never needs it, so runtime code reaches prom-client through this
// getter and loads it on first use; a Redis-only exporter never loads it. Type-only imports stay
// ordinary imports (`import type { Gauge } from 'prom-client'`).
import type * as PromClient from 'prom-client';

let loaded: typeof PromClient | undefined;

export function promClient(): typeof PromClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  return (loaded ??= require('prom-client') as typeof PromClient);
}
