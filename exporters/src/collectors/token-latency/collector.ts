// The token-latency collector: one tap per hop (from --tap or the inventory) feeding OTel
// instruments, exposed as an exposition source on the shared /metrics.
import type { Inventory, InventoryNode } from '@okome/provisioning';
import { hostname } from 'node:os';
import type { Collector, CollectorDefinition, CollectorEnv } from '../../core/collector';
import type { FlagSpec, FlagValue, Options } from '../../core/flags';
import { createTap, type Tap } from '../../tap/tap';
import { TokenLatencyMetrics } from './metrics';
import { tokenLatencyObserver } from './observer';
import { joinTapSpecs, parseTapSpec, tapsFromInventory, type TapSpec } from './taps';

export const TOKEN_LATENCY_FLAGS: FlagSpec[] = [
  {
    name: 'tap',
    type: 'list',
    help: 'Stream tap NAME=listen,upstream,hop[,format[,engine]] (repeatable); hop: ingress|cache|gateway|engine, format: sse|ndjson|auto.',
    placeholder: 'SPEC',
  },
  {
    name: 'token-latency.idle-timeout',
    type: 'duration',
    help: 'Upstream silence before a tapped request fails as kind="timeout".',
    default: '5m',
  },
  {
    name: 'token-latency.max-models',
    type: 'number',
    help: 'Distinct model label values kept; more become model="other".',
    default: 50,
  },
  {
    name: 'token-latency.node',
    type: 'string',
    help: 'node label (default: --node, else the host name).',
  },
];

export interface TokenLatencyRuntime {
  metrics: TokenLatencyMetrics;
  taps: Tap[];
}

export function createTokenLatencyCollector(
  specs: TapSpec[],
  opts: { node: string; idleTimeoutMs: number; maxModels: number },
): Collector & { runtime: TokenLatencyRuntime } {
  const metrics = new TokenLatencyMetrics({ maxModels: opts.maxModels });
  const runtime: TokenLatencyRuntime = { metrics, taps: [] };
  return {
    name: 'token_latency',
    runtime,
    async collect() {
      // Observations arrive from the taps; the OTel text is rendered by the source below.
    },
    sources: [{ name: 'token_latency_otel', render: () => metrics.render() }],
    async start() {
      for (const s of specs) {
        const observer = tokenLatencyObserver(
          {
            hop: s.hop,
            engine: s.engine,
            node: opts.node,
            ...(s.format ? { format: s.format } : {}),
          },
          (o) => metrics.record(o),
          (labels, seconds) => metrics.recordGap(labels, seconds),
        );
        runtime.taps.push(
          await createTap({
            listen: s.listen,
            upstream: s.upstream,
            name: s.name,
            observer,
            idleTimeoutMs: opts.idleTimeoutMs,
          }),
        );
      }
    },
    async stop() {
      await Promise.all(runtime.taps.map((t) => t.close()));
      runtime.taps = [];
      await metrics.shutdown();
    },
    describe: () => runtime.taps.map((t) => `tap ${t.name}: ${t.url} → ${t.upstream}`),
  };
}

export const tokenLatencyCollector: CollectorDefinition = {
  name: 'token_latency',
  help: 'Per-hop TTFT/ITL/TPOT/e2e through stream taps (OpenTelemetry llm_* metrics)',
  defaultEnabled: false,
  roles: ['ingress', 'cache', 'stream', 'gateway', 'gpu-core', 'gpu-speculative', 'gpu-worker'],
  flags: TOKEN_LATENCY_FLAGS,
  fromInventory(node: InventoryNode, inv: Inventory): Map<string, FlagValue> | undefined {
    const taps = tapsFromInventory(node, inv);
    return taps.length ? new Map<string, FlagValue>([['tap', taps]]) : undefined;
  },
  create(options: Options, env: CollectorEnv): Collector {
    const specs = joinTapSpecs(options.list('tap')).map(parseTapSpec);
    return createTokenLatencyCollector(specs, {
      node: options.string('token-latency.node') ?? env.node?.id ?? hostname(),
      idleTimeoutMs: options.duration('token-latency.idle-timeout') ?? 300_000,
      maxModels: options.number('token-latency.max-models') ?? 50,
    });
  },
};
