export {
  ollamaCollector,
  OllamaCollector,
  ollamaConfigFromOptions,
  tappedOllamaService,
} from './collector';
export { OLLAMA_TAP_PORT_OFFSET } from '@okome/provisioning';
export type { OllamaCollectorConfig } from './collector';
export { OllamaTapMetrics, DURATION_BUCKETS } from './tap-metrics';
export type { FinalChunk, OllamaErrorKind } from './tap-metrics';
export { ModelLabels } from './models';
