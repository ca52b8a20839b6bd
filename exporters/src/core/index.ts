export type {
  Collector,
  CollectorDefinition,
  CollectorEnv,
  ExpositionSource,
  HttpRoute,
  ScrapeContext,
} from './collector';
export { Exporter } from './exporter';
export type { CatalogEntry, ExporterOptions } from './exporter';
export { Scraper } from './scrape';
export type { CollectorStatus, ScraperOptions } from './scrape';
export {
  FlagError,
  Options,
  envName,
  formatFlagHelp,
  parseArgs,
  parseDuration,
  resolveOptions,
} from './flags';
export type { FlagSpec, FlagType, FlagValue, ParsedArgs } from './flags';
export { enableFlag, enableFlags, selectCollectors, DISABLE_DEFAULTS_FLAG } from './select';
export type { Selection } from './select';
export {
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  duplicateFamilies,
  mergeExpositions,
  toOpenMetrics,
  wantsOpenMetrics,
} from './exposition';
export { createLogger, silentLogger } from './logger';
export type { LogLevel, Logger } from './logger';
export { parseListenAddress, formatHostPort } from './address';
export type { ListenAddress } from './address';
export { withTimeout, TimeoutError } from './timeout';
export { errorLabel } from './errors';
