// What a fake service needs from the node it runs on: the faults acting on the node now, and
// a gate that holds traffic while the node is partitioned.

export interface NodeEffects {
  /** down: listeners closed, connections refused. */
  down: boolean;
  /** partition: connections accepted, nothing answered. */
  partition: boolean;
  /** slow: added latency per request at this hop, ms. */
  slowMs: number;
  /** latency: added first-token delay for engines, ms. */
  latencyMs: number;
  gpuOom: boolean;
  /** gpu-oom with params.engine: the engine whose process fills the GPU memory. */
  gpuOomEngine?: string;
  /** gpu-xid with an XID after which the GPU is gone (79 …). */
  gpuLost: boolean;
  xid?: number;
}

export const NO_EFFECTS: NodeEffects = {
  down: false,
  partition: false,
  slowMs: 0,
  latencyMs: 0,
  gpuOom: false,
  gpuLost: false,
};

export interface ServiceContext {
  nodeId: string;
  effects(): NodeEffects;
  /** Resolves at once unless the node is partitioned; then when the partition ends. */
  gate(signal?: AbortSignal): Promise<void>;
  random: () => number;
}

/** A context with no faults, for unit tests and standalone engines. */
export function staticContext(nodeId: string, random: () => number = Math.random): ServiceContext {
  return { nodeId, effects: () => NO_EFFECTS, gate: () => Promise.resolve(), random };
}
