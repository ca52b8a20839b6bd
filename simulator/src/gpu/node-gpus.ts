// The simulated GPUs of one node: engine processes whose memory follows their load, and the
// utilisation, temperature and power that follow from it. Faults (gpu-oom, gpu-xid) act here.
import type { EngineKind, InventoryNode, Service } from '@okome/provisioning';
import { ENGINE_KINDS } from '@okome/provisioning';
import { createRandom, hashString } from '../util/prng';
import { cardTraits } from './cards';
import type { GpuProcessSnapshot, GpuSnapshot, NodeGpuSnapshot } from './snapshot';

/** What an engine tells the GPU about itself. */
export interface EngineLoad {
  running: number;
  /** Weights resident in GPU memory (Ollama loads and unloads models). */
  loadedMiB: number;
}

export interface GpuFaults {
  /** gpu-oom: memory filled; by `engine` if named, else by a stray process. */
  oom?: { engine?: string };
  xid?: number;
}

interface ProcessPlan {
  pid: number;
  name: string;
  engine: EngineKind;
  budgetMiB: number;
}

const DEFAULT_PROCESS_NAMES: Record<EngineKind, string> = {
  vllm: 'VLLM::EngineCore',
  ollama: '/usr/local/bin/ollama',
  tensorflow: '/usr/bin/tensorflow_model_server',
};

/** The process name nvidia-smi shows: the real default, unless the inventory's processMatch
 *  would not recognise it, in which case the name carries the fragment the inventory expects. */
export function processNameFor(engine: EngineKind, service: Service | undefined): string {
  const fallback = DEFAULT_PROCESS_NAMES[engine];
  const match = service?.processMatch ?? [];
  if (!match.length || match.some((m) => fallback.includes(m))) return fallback;
  const first = match[0] as string;
  if (first.startsWith('vllm.entrypoints')) return 'python3 -m vllm.entrypoints.openai.api_server';
  return first;
}

function fakeUuid(seed: string): string {
  const r = createRandom(hashString(seed));
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `GPU-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

export class NodeGpus {
  private readonly plans: ProcessPlan[][];
  private readonly random: () => number;
  private strayPid: number;

  constructor(
    private readonly cluster: string,
    private readonly node: InventoryNode,
    seed: number,
    private readonly loadOf: (engine: EngineKind) => EngineLoad | undefined,
  ) {
    this.random = createRandom(seed ^ hashString(node.id));
    let pid = 1800 + Math.floor(this.random() * 60000);
    this.strayPid = pid + 7919;
    this.plans = node.gpus.map((gpu) => {
      const engineServices = node.services.filter((s) =>
        (ENGINE_KINDS as readonly string[]).includes(s.kind),
      );
      const budgets = gpu.budgets.length
        ? gpu.budgets
        : engineServices.map((s) => ({
            engine: s.kind as EngineKind,
            memoryMiB: Math.floor((gpu.memoryMiB * 0.9) / engineServices.length),
          }));
      return budgets
        .filter((b) => engineServices.some((s) => s.kind === b.engine))
        .map((b) => {
          pid += 17 + Math.floor(this.random() * 400);
          const service = engineServices.find((s) => s.kind === b.engine);
          return {
            pid,
            name: processNameFor(b.engine, service),
            engine: b.engine,
            budgetMiB: b.memoryMiB,
          };
        });
    });
  }

  get count(): number {
    return this.node.gpus.length;
  }

  snapshot(
    faults: GpuFaults,
    versions: { driver: string; cuda: string; rocm: string },
  ): NodeGpuSnapshot {
    const gpus = this.node.gpus.map((gpu, i) => this.gpuSnapshot(i, faults));
    return {
      ownerPid: process.pid,
      node: this.node.id,
      driverVersion: versions.driver,
      cudaVersion: versions.cuda,
      rocmVersion: versions.rocm,
      updatedAt: Date.now(),
      gpus,
    };
  }

  private gpuSnapshot(i: number, faults: GpuFaults): GpuSnapshot {
    const gpu = this.node.gpus[i] as InventoryNode['gpus'][number];
    const traits = cardTraits(gpu.model);
    const reservedMiB = traits.integrated ? 0 : Math.min(600, Math.round(gpu.memoryMiB * 0.012));
    const capacity = gpu.memoryMiB - reservedMiB;
    const jitter = () => this.random() * 2 - 1;
    let util = 0;
    const processes: GpuProcessSnapshot[] = [];
    for (const plan of this.plans[i] ?? []) {
      const load = this.loadOf(plan.engine) ?? { running: 0, loadedMiB: 0 };
      let used: number;
      if (plan.engine === 'vllm') {
        // vLLM preallocates weights + KV cache (gpu_memory_utilization); activations grow a little.
        used =
          plan.budgetMiB * 0.9 +
          Math.min(plan.budgetMiB * 0.08, load.running * plan.budgetMiB * 0.006);
        util += load.running ? 28 + 9 * load.running : 0;
      } else if (plan.engine === 'ollama') {
        if (load.loadedMiB === 0 && load.running === 0) continue; // no runner without a model
        used = Math.min(plan.budgetMiB, load.loadedMiB + 420 + load.running * 310);
        util += load.running ? 42 * load.running : 0;
      } else {
        used = plan.budgetMiB * 0.3 + load.running * 180;
        util += load.running ? 25 * load.running : 0;
      }
      processes.push({
        pid: plan.pid,
        name: plan.name,
        engine: plan.engine,
        usedMiB: Math.round(used),
      });
    }
    let used = processes.reduce((s, p) => s + p.usedMiB, 0);
    if (faults.oom) {
      const fill = Math.max(0, capacity - used - 3);
      const owner = faults.oom.engine
        ? processes.find((p) => p.engine === faults.oom?.engine)
        : undefined;
      if (owner) owner.usedMiB += fill;
      else processes.push({ pid: this.strayPid, name: 'python3', engine: '', usedMiB: fill });
      used += fill;
      util = Math.max(util, 97);
    }
    util = util > 0 ? Math.max(1, Math.min(100, Math.round(util + jitter() * 3))) : 0;
    const temperatureC = Math.round(31 + util * 0.42 + jitter());
    return {
      index: gpu.index,
      vendor: gpu.vendor,
      name: gpu.model,
      uuid: gpu.uuid ?? fakeUuid(`${this.cluster}/${this.node.id}/${gpu.index}`),
      busId: `00000000:${(traits.datacenter ? 0x17 + gpu.index * 0x14 : 0x01 + gpu.index).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
      serial: String(1320000000000 + (hashString(`${this.node.id}/${gpu.index}`) % 9999999)),
      totalMiB: gpu.memoryMiB,
      reservedMiB,
      usedMiB: Math.min(capacity, used),
      utilizationGpu: util,
      utilizationMemory: Math.round(util * 0.55),
      temperatureC,
      powerW:
        traits.idlePowerW +
        ((traits.powerLimitW - traits.idlePowerW) * util * 0.9) / 100 +
        Math.abs(jitter()),
      smClockMHz: util > 0 ? Math.round(traits.maxSmClockMHz * 0.93) : traits.idleSmClockMHz,
      pstate: util > 0 ? (traits.datacenter ? 'P0' : 'P2') : 'P8',
      fanPercent: Math.round(30 + util * 0.45),
      xid: faults.xid,
      processes,
    };
  }
}
