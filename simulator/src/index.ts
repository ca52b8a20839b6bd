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
export { runLoad } from './load/generator';
export type { LoadOptions, LoadReport, LoadProgress } from './load/generator';
export { parseMix, MIX_KINDS } from './load/mix';
export type { Mix, MixKind } from './load/mix';
export { ingressTarget, urlTarget, discoverModel } from './load/target';
export type { LoadTarget } from './load/target';
export { formatReport } from './load/report';
export { summarize, percentile } from './load/stats';
export type { Summary } from './load/stats';
export { Simulator, SimError } from './cluster/sim';
export type { SimOptions, NodeState } from './cluster/sim';
export { FAULT_KINDS, validateFault } from './cluster/faults';
export type { Fault, FaultKind, FaultRequest } from './cluster/faults';
export { createControlServer } from './cluster/control';
export { planSimulation } from './cluster/plan';
export type { SimPlan, NodePlan } from './cluster/plan';
