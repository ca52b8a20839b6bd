// Metric, recording-rule and label names the plugin reads. They mirror the exporters (DESIGN.md
// §4) and alerting/src/conventions.ts; conventions.test.ts fails when the two drift apart.

export const METRIC = {
  firstToken: 'llm_time_to_first_token_seconds',
  interToken: 'llm_inter_token_latency_seconds',
  e2e: 'llm_e2e_request_latency_seconds',
  hopAdded: 'llm_hop_added_latency_seconds',
  requests: 'llm_requests_total',
  failures: 'llm_request_failures_total',
  generationTokens: 'llm_generation_tokens_total',
  ollamaEval: 'ollama_eval_total',
  gpuEngineUsed: 'gpu_arbiter_engine_memory_used_bytes',
  gpuEngineBudget: 'gpu_arbiter_engine_memory_budget_bytes',
  redisHits: 'redis_keyspace_hits_total',
  redisMisses: 'redis_keyspace_misses_total',
  up: 'up',
} as const;

export const RECORD = {
  errorRatioPrefix: 'slo:sli_error:ratio_rate',
  burnRatePrefix: 'slo:burn_rate:ratio_rate',
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
  info: 'okome_slo_info',
} as const;

export const ALERT = { burn: 'ErrorBudgetBurn' } as const;

export const LABEL = {
  slo: 'slo',
  hop: 'hop',
  severity: 'severity',
  node: 'node',
  engine: 'engine',
  timeScale: 'okome_time_scale',
  long: 'long',
  short: 'short',
} as const;
