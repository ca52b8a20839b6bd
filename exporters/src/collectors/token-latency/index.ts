// Per-hop token latency on OpenTelemetry: metrics, stream parsing, the tap observer, PromQL.
export { TokenLatencyMetrics, OtelExportError } from './metrics';
export type { HopLabels, RequestObservation, TokenLatencyMetricsOptions } from './metrics';
export { LLM_METRICS, LLM_LABELS, FAILURE_KINDS } from './names';
export type { FailureKind } from './names';
export { TTFT_BUCKETS, ITL_BUCKETS, E2E_BUCKETS, SLO_EDGES } from './buckets';
export { TokenStreamParser, formatFromContentType } from './stream';
export type { StreamFormat, StreamTotals } from './stream';
export { tokenLatencyObserver, modelFromRequestBody } from './observer';
export type { HopTapConfig } from './observer';
export { parseTapSpec, joinTapSpecs, tapsFromInventory, TapSpecError } from './taps';
/** Defined in @okome/provisioning (the renderers route to it); re-exported for callers here. */
export { TAP_PORT_OFFSET } from '@okome/provisioning';
export type { TapSpec } from './taps';
export {
  tokenLatencyCollector,
  createTokenLatencyCollector,
  TOKEN_LATENCY_FLAGS,
} from './collector';
export {
  HOP_BUDGET_QUERIES,
  CACHE_SLI_QUERIES,
  TOKEN_PATH,
  hopBudgetQueries,
  hopAddedMeanQuery,
  hopAddedQuantileQuery,
  hopQuantileQuery,
  hopWithinBudgetRatioQuery,
} from './hop-budget';
export type { HopBudgetQuery, HopBudgetInput, HopQueryOptions } from './hop-budget';
