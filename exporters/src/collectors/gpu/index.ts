export {
  gpuCollector,
  GpuCollector,
  gpuConfigFromOptions,
  parseBudgets,
  parseEngineMatches,
} from './collector';
export type { GpuCollectorConfig, GpuVendor } from './collector';
export {
  parseQueryGpu,
  parseComputeApps,
  normalizeUuid,
  queryGpuArgs,
  queryAppsArgs,
  QUERY_GPU_FIELDS,
} from './nvidia-smi';
export type { GpuReading, ComputeApp } from './nvidia-smi';
export { parseRocmSmi } from './rocm-smi';
export type { RocmReading } from './rocm-smi';
export { attribute } from './attribution';
export { arbitrate } from './arbiter';
