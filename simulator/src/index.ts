// Public entry of @okome/simulator.
export { SseParser } from './client/sse';
export type { SseEvent } from './client/sse';
export { NdjsonParser, NdjsonParseError } from './client/ndjson';
export { streamCompletion, endpointFor, PROTOCOL_PATHS } from './client/stream-client';
export type {
  StreamProtocol,
  StreamRequest,
  StreamResult,
  ErrorKind,
} from './client/stream-client';
export { runNvidiaSmi } from './gpu/nvidia-smi';
export { runRocmSmi } from './gpu/rocm-smi';
export type { NodeGpuSnapshot, GpuSnapshot, GpuProcessSnapshot } from './gpu/snapshot';
