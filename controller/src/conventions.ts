// Every label, metric and PromQL name the controller depends on, in one place.

/** Labels a routing alert carries (set by the alerting package's symptom rules). */
export const LABEL_ACTION = 'okome_action';
export const LABEL_POOL = 'okome_pool';
export const LABEL_BACKEND = 'okome_backend';
/** Exporters label every target with these. */
export const LABEL_NODE = 'node';
export const LABEL_CLUSTER = 'cluster';

export const ALERT_ACTIONS = ['drain', 'disable'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const MANUAL_ACTIONS = ['drain', 'disable', 'enable'] as const;

export const DEFAULT_LISTEN = ':9700';
export const DEFAULT_HOLD_DOWN = '60s';
/** Default rate limit: this many changes per pool per RATE_LIMIT_HOLD_DOWNS hold-downs (10/10m at 60s). */
export const DEFAULT_RATE_LIMIT_COUNT = 10;
export const RATE_LIMIT_HOLD_DOWNS = 10;
export const MEMORY_DEGRADED_RATIO = 0.9;

/** PromQL the topology reads; each is evaluated on its own so one failing query only blanks its column. */
export const TOPOLOGY_QUERIES = {
  up: 'up',
  collectorsUp: '{__name__=~".+_up"}',
  probes: 'probe_success',
  hostMemory: 'max by (node) (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)',
  gpuMemory: 'max by (node) (nvidia_smi_memory_used_bytes / nvidia_smi_memory_total_bytes)',
  alerts: 'ALERTS{alertstate="firing"}',
  gpuMemoryByEngine: 'sum by (node, engine) (gpu_arbiter_engine_memory_used_bytes)',
  tokensPerSecond: 'sum by (node) (rate(llm_generation_tokens_total[1m]))',
  cacheHitRatio:
    'sum by (node) (rate(redis_keyspace_hits_total[5m])) / (sum by (node) (rate(redis_keyspace_hits_total[5m])) + sum by (node) (rate(redis_keyspace_misses_total[5m])))',
  ttftP95:
    'histogram_quantile(0.95, sum by (node, le) (rate(llm_time_to_first_token_seconds_bucket[5m])))',
} as const;
