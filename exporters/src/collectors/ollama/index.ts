export {
  ollamaCollector,
  OllamaCollector,
  ollamaConfigFromOptions,
  OLLAMA_TAP_PORT_OFFSET,
  tappedOllamaService,
} from './collector';
export type { OllamaCollectorConfig } from './collector';
export { OllamaTapMetrics, DURATION_BUCKETS } from './tap-metrics';
export type { FinalChunk, OllamaErrorKind } from './tap-metrics';
export { ModelLabels } from './models';
