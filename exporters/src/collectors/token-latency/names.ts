// The token-latency contract (DESIGN.md §4): instrument names carry their unit and, for
// counters, `_total`, because the OTel JS Prometheus exporter appends neither a unit suffix nor
// a second `_total` (research/otel-prometheus.md §2). Names here are exactly what /metrics shows.
export const LLM_METRICS = {
  ttft: 'llm_time_to_first_token_seconds',
  itl: 'llm_inter_token_latency_seconds',
  tpot: 'llm_time_per_output_token_seconds',
  e2e: 'llm_e2e_request_latency_seconds',
  requests: 'llm_requests_total',
  failures: 'llm_request_failures_total',
  generationTokens: 'llm_generation_tokens_total',
  promptTokens: 'llm_prompt_tokens_total',
} as const;

export const LLM_LABELS = ['hop', 'engine', 'model', 'node'] as const;

/** Failure kinds of llm_request_failures_total{kind}. */
export const FAILURE_KINDS = [
  /** upstream silent past the idle timeout */
  'timeout',
  /** upstream refused or reset before answering */
  'connect',
  /** upstream broke the stream after headers */
  'upstream_reset',
  /** upstream answered 5xx */
  'http_5xx',
  /** upstream answered 4xx */
  'http_4xx',
  /** stream ended without its end marker ([DONE], done:true) */
  'incomplete',
  /** the client went away mid-stream (counted, not an engine fault) */
  'client_abort',
  /** the client's request body failed */
  'request',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
