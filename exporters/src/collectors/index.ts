// Every collector kind the exporter knows, in exposition order. To add one: export a
// CollectorDefinition from src/collectors/<name>/ and append it here (README.md "Collector API").
import type { CollectorDefinition } from '../core/collector';
import { gpuCollector } from './gpu/collector';
import { ollamaCollector } from './ollama/collector';

export const BUILTIN_COLLECTORS: readonly CollectorDefinition[] = [gpuCollector, ollamaCollector];
