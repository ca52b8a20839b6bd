// Every collector kind the exporter knows, in exposition order. To add one: export a
// CollectorDefinition from src/collectors/<name>/ and append it here (README.md "Collector API").
import type { CollectorDefinition } from '../core/collector';

export const BUILTIN_COLLECTORS: readonly CollectorDefinition[] = [];
