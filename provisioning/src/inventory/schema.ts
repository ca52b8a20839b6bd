// The inventory schema: one typed description of a cluster that every other package reads.
// Cross-field rules (unique ids, pools pointing at real nodes, …) live in rules.ts so that the
// JSON Schema generated from this file stays a faithful editor aid.
import { z } from 'zod';

export const ROLES = [
  'ingress',
  'gateway',
  'cache',
  'stream',
  'gpu-core',
  'gpu-speculative',
  'gpu-worker',
  'cpu-worker',
  'observability',
] as const;
export type Role = (typeof ROLES)[number];

export const SERVICE_KINDS = [
  'ollama',
  'vllm',
  'tensorflow',
  'redis',
  'nginx',
  'haproxy',
  'prometheus',
  'alertmanager',
  'grafana',
  'loki',
  'stream',
  'gateway',
  'exporter',
] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** Engines that serve tokens and that GPU memory is arbitrated between. */
export const ENGINE_KINDS = ['ollama', 'vllm', 'tensorflow'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export const HOPS = ['ingress', 'cache', 'gateway', 'engine'] as const;
export type Hop = (typeof HOPS)[number];

/**
 * The exporters' token-latency taps listen on the node's address at service port + this
 * offset (8000 → 18000) and forward to the service, measuring the hop on the side.
 */
export const TAP_PORT_OFFSET = 10_000;
/** The exporters' Ollama throughput tap listens on the Ollama port + this (11434 → 31434). */
export const OLLAMA_TAP_PORT_OFFSET = 20_000;
/** Service kinds on the token path that get a token-latency tap, and the hop each one is. */
export const TAPPED_SERVICE_HOPS: Readonly<Partial<Record<ServiceKind, Hop>>> = {
  nginx: 'ingress',
  haproxy: 'ingress',
  stream: 'cache',
  gateway: 'gateway',
  vllm: 'engine',
  ollama: 'engine',
};

/** The port of a service's token-latency tap; undefined when the kind has none or it would not fit. */
export function tapPort(service: { kind: ServiceKind; port: number }): number | undefined {
  if (!TAPPED_SERVICE_HOPS[service.kind]) return undefined;
  const p = service.port + TAP_PORT_OFFSET;
  return p <= 65535 ? p : undefined;
}

/** The port of an Ollama service's throughput tap; undefined when it would not fit. */
export function ollamaTapPort(service: { kind: ServiceKind; port: number }): number | undefined {
  if (service.kind !== 'ollama') return undefined;
  const p = service.port + OLLAMA_TAP_PORT_OFFSET;
  return p <= 65535 ? p : undefined;
}

export const HEALTH_STATES = ['HEALTHY', 'DEGRADED', 'UNAVAILABLE', 'MAINTENANCE'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export const DRILL_SCENARIOS = [
  'isolate-core-gpu',
  'isolate-gateway',
  'lose-cache-node',
  'lose-ingress-node',
  'gpu-memory-pressure',
  'ollama-node-loss',
  'observability-node-loss',
] as const;
export type DrillScenario = (typeof DRILL_SCENARIOS)[number];

/** Durations as Prometheus writes them: 500ms, 30s, 5m, 1h30m, 28d. */
export const DURATION_PATTERN = /^(\d+(ms|s|m|h|d|w|y))+$/;
/** The message of every duration problem, whether the value is a bad string or a number. */
export const NOT_A_DURATION = 'not a duration';
const duration = z
  .string({ error: NOT_A_DURATION })
  .regex(DURATION_PATTERN, { error: NOT_A_DURATION })
  .describe('A Prometheus duration: 500ms, 30s, 5m, 1h30m, 28d');

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, {
  message: 'not an id (letters, digits, "-", "_", "." and starting with a letter)',
});

const port = z.number().int().min(1).max(65535);

export const serviceSchema = z
  .object({
    name: id.describe('Unique on the node; defaults to the kind'),
    kind: z.enum(SERVICE_KINDS),
    port,
    /** Models this engine serves (names from the inventory's `models`). */
    models: z.array(z.string()).optional(),
    /** Process names or cmdline fragments that identify this engine's GPU processes. */
    processMatch: z.array(z.string()).optional(),
  })
  .strict();
export type Service = z.infer<typeof serviceSchema>;

export const gpuSchema = z
  .object({
    index: z.number().int().min(0),
    vendor: z.enum(['nvidia', 'amd']),
    model: z.string(),
    memoryMiB: z.number().int().positive(),
    uuid: z.string().optional(),
    /** GPU arbitration: how much memory each engine on this GPU may use. */
    budgets: z
      .array(
        z.object({ engine: z.enum(ENGINE_KINDS), memoryMiB: z.number().int().positive() }).strict(),
      )
      .default([]),
  })
  .strict();
export type Gpu = z.infer<typeof gpuSchema>;

export const nodeSchema = z
  .object({
    id,
    hostname: z.string().min(1),
    /** IPv4 address, or a host name where the seed gives none. */
    address: z.string().min(1),
    roles: z.array(z.enum(ROLES)).min(1),
    maintenance: z.boolean().default(false),
    description: z.string().optional(),
    cpus: z.number().int().positive().optional(),
    memoryGiB: z.number().positive().optional(),
    arch: z.enum(['x86_64', 'arm64']).default('x86_64'),
    services: z.array(serviceSchema).default([]),
    gpus: z.array(gpuSchema).default([]),
    /**
     * Local paths for this node's tools and proxies. On real nodes the defaults apply; the
     * simulator's derived inventory points them at its fakes and its own nginx/HAProxy.
     */
    tools: z
      .object({
        nvidiaSmi: z.string().optional(),
        rocmSmi: z.string().optional(),
        /** Main nginx.conf of the node's ingress nginx (`nginx -c`). */
        nginxConf: z.string().optional(),
        /** Folder holding one `<pool>.conf` upstream file per pool this node fronts. */
        nginxUpstreamDir: z.string().optional(),
        /** HAProxy runtime API (admin) socket. */
        haproxySocket: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Where the node's okome-exporter listens. */
    exporterPort: port.default(9464),
  })
  .strict();
export type InventoryNode = z.infer<typeof nodeSchema>;

export const modelSchema = z
  .object({
    name: z.string().min(1),
    engine: z.enum(ENGINE_KINDS),
    parameters: z.string().optional(),
    sizeMiB: z.number().int().positive(),
    /** Decode speed on one request, the figure the seeds quote. */
    tokensPerSecond: z.number().positive(),
    firstTokenMs: z.number().positive(),
    /** Concurrent requests served at once before queueing. */
    concurrency: z.number().int().positive().default(1),
    /** Nodes that serve this model with a different speed (seed 001 quotes per node). */
    perNode: z
      .array(
        z
          .object({
            node: z.string(),
            tokensPerSecond: z.number().positive().optional(),
            firstTokenMs: z.number().positive().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type Model = z.infer<typeof modelSchema>;

export const backendSchema = z
  .object({
    node: z.string(),
    service: z.string(),
    weight: z.number().int().min(1).max(1000).default(1),
    backup: z.boolean().default(false),
  })
  .strict();
export type Backend = z.infer<typeof backendSchema>;

export const poolSchema = z
  .object({
    name: id,
    description: z.string().optional(),
    hop: z.enum(HOPS),
    /** Nodes whose proxy serves this pool (nginx/HAProxy run there). */
    frontends: z.array(z.string()).min(1),
    listenPort: port,
    balance: z.enum(['least_conn', 'hash', 'round_robin', 'ip_hash']).default('round_robin'),
    /** nginx `hash` key for session affinity, e.g. $cookie_okome_session or $remote_addr. */
    stickyKey: z.string().optional(),
    backends: z.array(backendSchema).min(1),
    /** Backend node ids, first preferred; unlisted backends come after. */
    failoverOrder: z.array(z.string()).default([]),
    maxFails: z.number().int().min(0).default(2),
    failTimeout: duration.default('30s'),
    nextUpstream: z.boolean().default(true),
    actuator: z.enum(['nginx', 'haproxy', 'exec']).default('nginx'),
    /** Command run by the exec actuator, with the action in OKOME_* env vars. */
    execCommand: z.string().optional(),
    minHealthy: z.number().int().min(1).default(1),
  })
  .strict();
export type Pool = z.infer<typeof poolSchema>;

export const hopBudgetSchema = z
  .object({
    hop: z.enum(HOPS),
    /** added: the hop's own added latency; first-token, inter-token, e2e: at the hop. */
    signal: z.enum(['added', 'first-token', 'inter-token', 'e2e']),
    threshold: duration,
    quantile: z.number().gt(0).lt(1).default(0.99),
    /** Share of requests that must be within the threshold, in percent. */
    objective: z.number().gt(0).lt(100).default(99),
    /** Limit the budget to one node (e.g. CORE for first token). */
    node: z.string().optional(),
  })
  .strict();
export type HopBudget = z.infer<typeof hopBudgetSchema>;

export const inventorySchema = z
  .object({
    $schema: z.string().optional(),
    cluster: id,
    description: z.string().optional(),
    /** The seed document this inventory comes from. */
    source: z.string().optional(),
    nodes: z.array(nodeSchema).min(1),
    models: z.array(modelSchema).default([]),
    routing: z
      .object({ pools: z.array(poolSchema).default([]) })
      .strict()
      .default({ pools: [] }),
    budgets: z
      .object({ hops: z.array(hopBudgetSchema).default([]) })
      .strict()
      .default({ hops: [] }),
    slo: z
      .object({
        /** Token path availability, in percent. */
        availability: z.number().gt(0).lt(100).default(99.5),
        period: duration.default('28d'),
        /** Tokens/s floor per engine node (Kage Bunshin's throughput SLO). */
        throughputFloor: z.number().positive().optional(),
        runbookBaseUrl: z.string().default('https://runbooks.okome.local'),
      })
      .strict()
      .default({
        availability: 99.5,
        period: '28d',
        runbookBaseUrl: 'https://runbooks.okome.local',
      }),
    drills: z
      .object({
        allowed: z.array(z.enum(DRILL_SCENARIOS)).default([]),
        /** Exec hooks that touch real machines run only with this set. */
        allowRealFaults: z.boolean().default(false),
      })
      .strict()
      .default({ allowed: [], allowRealFaults: false }),
    observability: z
      .object({
        scrapeInterval: duration.default('15s'),
        evaluationInterval: duration.default('15s'),
        /** Long-term store for remote_write, for fleets that outgrow the pair. */
        remoteWrite: z
          .object({
            url: z.string().url(),
            kind: z.enum(['victoriametrics', 'thanos', 'mimir', 'prometheus']),
          })
          .strict()
          .optional(),
        controller: z
          .object({ node: z.string(), port: port.default(9700) })
          .strict()
          .optional(),
        /**
         * Route the token path through the exporters' taps: nginx upstreams (and the simulated
         * load) address each token-path service at its tap port (`tapPort`), so every hop is
         * measured under real traffic. The hop then depends on its node's exporter.
         */
        taps: z
          .boolean()
          .default(false)
          .describe(
            "Route the token path through the exporters' taps (service port + 10000); the hop then depends on its exporter",
          ),
      })
      .strict()
      .default({ scrapeInterval: '15s', evaluationInterval: '15s', taps: false }),
    /**
     * Node health checks (seed 004): HEALTHY, DEGRADED above the memory threshold,
     * UNAVAILABLE when the node does not answer, MAINTENANCE when `maintenance` is set.
     */
    health: z
      .object({
        checkInterval: duration.default('30s'),
        degradedMemoryPercent: z.number().gt(0).max(100).default(90),
      })
      .strict()
      .optional(),
    deploy: z
      .object({ user: z.string().default('okome'), sshPort: port.default(22) })
      .strict()
      .default({ user: 'okome', sshPort: 22 }),
    /** Set by okome-sim in the inventory it derives: addresses are loopback. */
    simulated: z.boolean().default(false),
  })
  .strict();

/** Routing state of one backend in a pool, as the controller sets it. */
export const BACKEND_STATES = ['enabled', 'drain', 'disabled'] as const;
export type BackendState = (typeof BACKEND_STATES)[number];
/** pool name → backend node id → state; backends not listed are enabled. */
export type RoutingState = Record<string, Record<string, BackendState>>;

export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;
