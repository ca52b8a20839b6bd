// The simulated GPU state that the fake nvidia-smi / rocm-smi print from. The simulator
// writes one snapshot file per node; the fake tools read it, so they run as separate
// processes exactly like the real tools.

export interface GpuProcessSnapshot {
  pid: number;
  name: string;
  engine: string;
  usedMiB: number;
}

export interface GpuSnapshot {
  index: number;
  vendor: 'nvidia' | 'amd';
  name: string;
  uuid: string;
  busId: string;
  serial: string;
  totalMiB: number;
  reservedMiB: number;
  usedMiB: number;
  utilizationGpu: number;
  utilizationMemory: number;
  temperatureC: number;
  powerW: number;
  smClockMHz: number;
  pstate: string;
  fanPercent: number;
  /** Set while a gpu-xid fault is active; 79 = fallen off the bus (GPU lost). */
  xid?: number;
  processes: GpuProcessSnapshot[];
}

export interface NodeGpuSnapshot {
  /** pid of the simulator that owns this file; a dead owner means the "driver" is gone. */
  ownerPid: number;
  node: string;
  driverVersion: string;
  cudaVersion: string;
  rocmVersion: string;
  updatedAt: number;
  gpus: GpuSnapshot[];
}

/** XIDs after which NVML cannot reach the board at all. */
export const GPU_LOST_XIDS = new Set([79, 74, 95]);

export function isGpuLost(gpu: GpuSnapshot): boolean {
  return gpu.xid !== undefined && GPU_LOST_XIDS.has(gpu.xid);
}
