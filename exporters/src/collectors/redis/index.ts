// The Redis edge-cache collector: a drop-in for oliver006/redis_exporter.
export { RedisExporter, TEXT_CONTENT_TYPE, EXPORTER_VERSION } from './exporter';
export type { ScrapeResponse } from './exporter';
export {
  DEFAULT_REDIS_OPTIONS,
  redisOptionsFromFlags,
  loadPasswordFile,
  parseGoDuration,
} from './options';
export type { RedisOptions, RedisFlagValues } from './options';
export { MetricSink, renderFamilies } from './exposition';
export type { Family, Labels, MetricType } from './exposition';
export { parseRedisTarget, redact, TargetError } from './target';
export type { RedisTarget } from './target';
export { RespClient, RespError } from './resp';
export { redisCollector, REDIS_FLAGS } from './collector';
