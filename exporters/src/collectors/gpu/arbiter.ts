// Per GPU: how much memory each engine holds, against its budget. Pure: readings in, numbers
// out, so the collector only does I/O and metric plumbing.
import type { EngineKind } from '@okome/provisioning';

export interface GpuProcess {
  readonly pid: number;
  readonly processName: string;
  readonly usedBytes?: number;
  readonly engine?: EngineKind;
}

export interface GpuArbitration {
  readonly uuid: string;
  /** Memory used on the GPU as the driver reports it (includes contexts and unknown holders). */
  readonly usedBytes?: number;
  readonly totalBytes?: number;
  readonly engines: ReadonlyMap<
    EngineKind,
    { usedBytes: number; processes: number; budgetBytes?: number }
  >;
  /** Used memory not held by an attributed engine process. */
  readonly unattributedBytes: number;
  readonly processes: readonly GpuProcess[];
}

export function arbitrate(
  uuid: string,
  gpu: { usedBytes?: number; totalBytes?: number },
  processes: readonly GpuProcess[],
  budgets: ReadonlyMap<EngineKind, number>,
): GpuArbitration {
  const engines = new Map<
    EngineKind,
    { usedBytes: number; processes: number; budgetBytes?: number }
  >();
  for (const [engine, budgetBytes] of budgets)
    engines.set(engine, { usedBytes: 0, processes: 0, budgetBytes });
  let attributed = 0;
  let unknownProcBytes = 0;
  for (const p of processes) {
    if (!p.engine) {
      unknownProcBytes += p.usedBytes ?? 0;
      continue;
    }
    const e = engines.get(p.engine) ?? { usedBytes: 0, processes: 0 };
    e.usedBytes += p.usedBytes ?? 0;
    e.processes += 1;
    engines.set(p.engine, e);
    attributed += p.usedBytes ?? 0;
  }
  const unattributedBytes =
    gpu.usedBytes !== undefined ? Math.max(0, gpu.usedBytes - attributed) : unknownProcBytes;
  return {
    uuid,
    usedBytes: gpu.usedBytes,
    totalBytes: gpu.totalBytes,
    engines,
    unattributedBytes,
    processes,
  };
}
