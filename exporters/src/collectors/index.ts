// Every collector kind the exporter knows, in exposition order. To add one: export a
// CollectorDefinition from src/collectors/<name>/ and append it here (README.md "Collector API").
import type { CollectorDefinition } from '../core/collector';
import { probeCollector } from '../probe/collector';
import { gpuCollector } from './gpu/collector';
import { ollamaCollector } from './ollama/collector';
import { redisCollector } from './redis/collector';
import { tokenLatencyCollector } from './token-latency/collector';

export const BUILTIN_COLLECTORS: readonly CollectorDefinition[] = [
  gpuCollector,
  ollamaCollector,
  redisCollector,
  tokenLatencyCollector,
  probeCollector,
];
