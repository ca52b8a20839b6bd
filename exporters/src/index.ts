// Public entry of @okome/exporters: the exporter core, the tap, and the collectors.
export * from './core/index';
export * from './tap/index';
export { createHttpHandler, createHttpServer, scrapeDeadlineMs } from './http/server';
export type { HttpOptions } from './http/server';
export { renderLanding } from './http/landing';
export type { LandingInfo } from './http/landing';
export { BUILTIN_COLLECTORS } from './collectors/index';
export * from './collectors/gpu/index';
export * from './collectors/ollama/index';
export * from './collectors/redis/index';
export * from './collectors/token-latency/index';
export * from './probe/index';
