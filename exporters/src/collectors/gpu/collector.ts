// The gpu collector: per-GPU nvidia_smi_* (nvidia_gpu_exporter-compatible) and GPU memory
// arbitration between the engines sharing a GPU (gpu_arbiter_*), read at scrape time.
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { ENGINE_KINDS } from '@okome/provisioning';
import type { EngineKind, Inventory, InventoryNode } from '@okome/provisioning';
import type { Collector, CollectorDefinition, ScrapeContext } from '../../core/collector';
import { FlagError } from '../../core/flags';
import type { FlagValue, Options } from '../../core/flags';
import { arbitrate } from './arbiter';
import type { GpuArbitration, GpuProcess } from './arbiter';
import { attribute } from './attribution';
import type { EngineMatch } from './attribution';
import {
  GPU_METRICS,
  normalizeUuid,
  parseComputeApps,
  parseQueryGpu,
  queryAppsArgs,
  queryGpuArgs,
} from './nvidia-smi';
import { parseRocmSmi } from './rocm-smi';
import { runTool } from './run';

const MIB = 1024 * 1024;
export type GpuVendor = 'nvidia' | 'amd';

export interface GpuCollectorConfig {
  readonly vendors: readonly GpuVendor[];
  readonly nvidiaSmiPath: string;
  readonly rocmSmiPath: string;
  /** GPU key (index or normalized uuid) → engine → bytes. */
  readonly budgets: ReadonlyMap<string, ReadonlyMap<EngineKind, number>>;
  readonly overrides: readonly EngineMatch[];
  /** undefined: attribute by process name only. */
  readonly procfs?: string;
  /** AMD card index → uuid label. */
  readonly amdUuids: ReadonlyMap<number, string>;
}

function isEngine(s: string): s is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(s);
}

/** `<gpu index|uuid>:<engine>=<MiB>` entries → budgets. */
export function parseBudgets(entries: readonly string[]): Map<string, Map<EngineKind, number>> {
  const out = new Map<string, Map<EngineKind, number>>();
  for (const entry of entries) {
    const m = /^([^:]+):([a-z]+)=(\d+(?:\.\d+)?)$/.exec(entry.trim());
    if (!m || !isEngine(m[2] as string))
      throw new FlagError(
        `--gpu.budget: "${entry}" is not <gpu index|uuid>:<engine>=<MiB> with engine one of ${ENGINE_KINDS.join(', ')}`,
      );
    const key = /^\d+$/.test(m[1] as string) ? (m[1] as string) : normalizeUuid(m[1] as string);
    const per = out.get(key) ?? new Map<EngineKind, number>();
    per.set(m[2] as EngineKind, Number(m[3]) * MIB);
    out.set(key, per);
  }
  return out;
}

/** `<engine>=<substring>` entries → overrides. */
export function parseEngineMatches(entries: readonly string[]): EngineMatch[] {
  const byEngine = new Map<EngineKind, string[]>();
  for (const entry of entries) {
    const i = entry.indexOf('=');
    const engine = entry.slice(0, i).trim();
    const pattern = entry.slice(i + 1).trim();
    if (i < 0 || !isEngine(engine) || !pattern)
      throw new FlagError(
        `--gpu.engine-match: "${entry}" is not <engine>=<process name fragment> with engine one of ${ENGINE_KINDS.join(', ')}`,
      );
    byEngine.set(engine, [...(byEngine.get(engine) ?? []), pattern]);
  }
  return [...byEngine].map(([engine, patterns]) => ({ engine, patterns }));
}

export function gpuConfigFromOptions(o: Options): GpuCollectorConfig {
  const vendors = o.list('gpu.vendor');
  for (const v of vendors)
    if (v !== 'nvidia' && v !== 'amd')
      throw new FlagError(`--gpu.vendor: "${v}" is not nvidia or amd`);
  const amdUuids = new Map<number, string>();
  for (const e of o.list('gpu.amd-uuid')) {
    const m = /^(\d+)=(.+)$/.exec(e);
    if (!m) throw new FlagError(`--gpu.amd-uuid: "${e}" is not <card index>=<uuid>`);
    amdUuids.set(Number(m[1]), normalizeUuid(m[2] as string));
  }
  return {
    vendors: (vendors.length ? vendors : ['nvidia']) as GpuVendor[],
    nvidiaSmiPath: o.string('gpu.nvidia-smi-path') ?? 'nvidia-smi',
    rocmSmiPath: o.string('gpu.rocm-smi-path') ?? 'rocm-smi',
    budgets: parseBudgets(o.list('gpu.budget')),
    overrides: parseEngineMatches(o.list('gpu.engine-match')),
    procfs: o.string('gpu.procfs'),
    amdUuids,
  };
}

/** Flag values the inventory implies for a node with GPUs (undefined: no GPUs). */
export function gpuOptionsFromInventory(
  node: InventoryNode,
  inventory: Inventory,
): Map<string, FlagValue> | undefined {
  if (node.gpus.length === 0) return undefined;
  const m = new Map<string, FlagValue>();
  m.set('gpu.vendor', [...new Set(node.gpus.map((g) => g.vendor))]);
  if (node.tools?.nvidiaSmi) m.set('gpu.nvidia-smi-path', node.tools.nvidiaSmi);
  if (node.tools?.rocmSmi) m.set('gpu.rocm-smi-path', node.tools.rocmSmi);
  m.set(
    'gpu.budget',
    node.gpus.flatMap((g) =>
      g.budgets.map((b) => `${g.uuid ?? g.index}:${b.engine}=${b.memoryMiB}`),
    ),
  );
  m.set(
    'gpu.engine-match',
    node.services
      .filter((s) => isEngine(s.kind))
      .flatMap((s) => (s.processMatch ?? []).map((p) => `${s.kind}=${p}`)),
  );
  m.set(
    'gpu.amd-uuid',
    node.gpus.filter((g) => g.vendor === 'amd' && g.uuid).map((g) => `${g.index}=${g.uuid}`),
  );
  // A simulated node's pids are fake: reading this machine's /proc would mis-attribute them.
  if (inventory.simulated) m.set('gpu.procfs', '');
  return m;
}

const ARBITER_UP = {
  name: 'gpu_arbiter_up',
  help: '1 when the GPU tools answered and every GPU process could be read, else 0.',
};

class GpuMetrics {
  readonly info: Gauge;
  readonly perGpu: Map<string, Gauge>;
  readonly engineUsed: Gauge;
  readonly engineBudget: Gauge;
  readonly engineShare: Gauge;
  readonly engineProcs: Gauge;
  readonly unattributed: Gauge;
  readonly procInfo: Gauge;
  readonly gpuUsed: Gauge;
  readonly gpuTotal: Gauge;

  constructor(reg: Registry) {
    const g = (name: string, help: string, labelNames: string[] = ['uuid']) =>
      new Gauge({ name, help, labelNames, registers: [reg] });
    this.info = g('nvidia_smi_gpu_info', 'NVIDIA GPU identity; always 1.', [
      'uuid',
      'name',
      'driver_version',
      'pci_bus_id',
      'index',
      'serial',
      'vbios_version',
    ]);
    this.perGpu = new Map(GPU_METRICS.map((m) => [m.field, g(m.name, m.help)]));
    this.gpuUsed = g('gpu_arbiter_gpu_memory_used_bytes', 'GPU memory in use (any vendor).', [
      'uuid',
      'vendor',
    ]);
    this.gpuTotal = g('gpu_arbiter_gpu_memory_total_bytes', 'GPU memory size (any vendor).', [
      'uuid',
      'vendor',
    ]);
    const ue = ['uuid', 'engine'];
    this.engineUsed = g(
      'gpu_arbiter_engine_memory_used_bytes',
      "Memory held by an engine's processes on a GPU.",
      ue,
    );
    this.engineBudget = g(
      'gpu_arbiter_engine_memory_budget_bytes',
      "The engine's memory budget on this GPU (inventory).",
      ue,
    );
    this.engineShare = g(
      'gpu_arbiter_engine_memory_share_ratio',
      'Used memory over budget for engines with a budget; above 1 the engine is over its budget.',
      ue,
    );
    this.engineProcs = g('gpu_arbiter_engine_processes', 'Processes of the engine on the GPU.', ue);
    this.unattributed = g(
      'gpu_arbiter_unattributed_memory_bytes',
      'GPU memory in use that no engine process accounts for (contexts, unknown processes).',
    );
    this.procInfo = g(
      'gpu_arbiter_process_info',
      'A compute process on a GPU and the engine it is attributed to ("unattributed" if none); always 1.',
      ['uuid', 'pid', 'engine', 'process_name'],
    );
  }

  arbitration(a: GpuArbitration, vendor: GpuVendor) {
    if (a.usedBytes !== undefined) this.gpuUsed.set({ uuid: a.uuid, vendor }, a.usedBytes);
    if (a.totalBytes !== undefined) this.gpuTotal.set({ uuid: a.uuid, vendor }, a.totalBytes);
    for (const [engine, e] of a.engines) {
      const l = { uuid: a.uuid, engine };
      this.engineUsed.set(l, e.usedBytes);
      this.engineProcs.set(l, e.processes);
      if (e.budgetBytes !== undefined) {
        this.engineBudget.set(l, e.budgetBytes);
        this.engineShare.set(l, e.budgetBytes > 0 ? e.usedBytes / e.budgetBytes : 0);
      }
    }
    this.unattributed.set({ uuid: a.uuid }, a.unattributedBytes);
    for (const p of a.processes)
      this.procInfo.set(
        {
          uuid: a.uuid,
          pid: String(p.pid),
          engine: p.engine ?? 'unattributed',
          process_name: p.processName,
        },
        1,
      );
  }
}

export class GpuCollector implements Collector {
  readonly name = 'gpu';
  readonly up = ARBITER_UP;

  constructor(readonly config: GpuCollectorConfig) {}

  private budgetsFor(index: number, uuid: string): ReadonlyMap<EngineKind, number> {
    // Budgets may name the GPU by index or uuid; the uuid wins where both name an engine.
    return new Map([
      ...(this.config.budgets.get(String(index)) ?? []),
      ...(this.config.budgets.get(uuid) ?? []),
    ]);
  }

  private attributeAll(
    procs: { pid: number; processName: string; usedBytes?: number }[],
  ): GpuProcess[] {
    return procs.map((p) => ({
      ...p,
      engine: attribute(p.pid, p.processName, {
        overrides: this.config.overrides,
        procfs: this.config.procfs,
      }).engine,
    }));
  }

  async collect(ctx: ScrapeContext): Promise<void> {
    const m = new GpuMetrics(ctx.registry);
    const errors: unknown[] = [];
    await Promise.all(
      this.config.vendors.map((v) =>
        (v === 'nvidia' ? this.collectNvidia(ctx, m) : this.collectAmd(ctx, m)).catch((err) => {
          errors.push(err);
        }),
      ),
    );
    if (errors.length === this.config.vendors.length) throw errors[0];
    if (errors.length) ctx.fail(errors[0]);
  }

  private async collectNvidia(ctx: ScrapeContext, m: GpuMetrics) {
    const path = this.config.nvidiaSmiPath;
    const [gpuText, appsText] = await Promise.allSettled([
      runTool(path, queryGpuArgs(), ctx.signal, '--gpu.nvidia-smi-path'),
      runTool(path, queryAppsArgs(), ctx.signal, '--gpu.nvidia-smi-path'),
    ]);
    if (gpuText.status === 'rejected') throw gpuText.reason;
    const gpus = parseQueryGpu(gpuText.value);
    let apps: ReturnType<typeof parseComputeApps> = [];
    if (appsText.status === 'rejected') ctx.fail(appsText.reason);
    else apps = parseComputeApps(appsText.value);

    for (const gpu of gpus) {
      m.info.set(
        {
          uuid: gpu.uuid,
          name: gpu.name,
          driver_version: gpu.driverVersion,
          pci_bus_id: gpu.pciBusId,
          index: String(gpu.index),
          serial: gpu.serial,
          vbios_version: gpu.vbiosVersion,
        },
        1,
      );
      for (const def of GPU_METRICS) {
        const v = gpu.values.get(def.field);
        if (v !== undefined) m.perGpu.get(def.field)!.set({ uuid: gpu.uuid }, v * def.scale);
      }
      const procs = this.attributeAll(apps.filter((a) => a.uuid === gpu.uuid));
      const mem = (f: 'memory.used' | 'memory.total') => {
        const v = gpu.values.get(f);
        return v === undefined ? undefined : v * MIB;
      };
      m.arbitration(
        arbitrate(
          gpu.uuid,
          { usedBytes: mem('memory.used'), totalBytes: mem('memory.total') },
          procs,
          this.budgetsFor(gpu.index, gpu.uuid),
        ),
        'nvidia',
      );
    }
  }

  private async collectAmd(ctx: ScrapeContext, m: GpuMetrics) {
    const text = await runTool(
      this.config.rocmSmiPath,
      ['--showmeminfo', 'vram', '--showpids', '--json'],
      ctx.signal,
      '--gpu.rocm-smi-path',
    );
    const { cards, processes } = parseRocmSmi(text);
    const procs = this.attributeAll(processes);
    cards.forEach((card, i) => {
      const uuid = this.config.amdUuids.get(card.index) ?? `card${card.index}`;
      // rocm-smi gives no per-card split of processes: they count on the first card.
      m.arbitration(
        arbitrate(uuid, card, i === 0 ? procs : [], this.budgetsFor(card.index, uuid)),
        'amd',
      );
    });
  }

  describe(): string[] {
    return this.config.vendors.map((v) =>
      v === 'nvidia'
        ? `nvidia-smi: ${this.config.nvidiaSmiPath}`
        : `rocm-smi: ${this.config.rocmSmiPath}`,
    );
  }
}

export const gpuCollector: CollectorDefinition = {
  name: 'gpu',
  help: 'GPU metrics from nvidia-smi/rocm-smi and memory arbitration between engines.',
  defaultEnabled: false,
  roles: ['gpu-core', 'gpu-speculative', 'gpu-worker'],
  flags: [
    {
      name: 'gpu.vendor',
      type: 'list',
      help: 'GPU vendors on this node: nvidia, amd.',
      default: ['nvidia'],
      placeholder: 'VENDORS',
    },
    {
      name: 'gpu.nvidia-smi-path',
      type: 'string',
      help: 'nvidia-smi executable.',
      default: 'nvidia-smi',
      placeholder: 'PATH',
    },
    {
      name: 'gpu.rocm-smi-path',
      type: 'string',
      help: 'rocm-smi executable.',
      default: 'rocm-smi',
      placeholder: 'PATH',
    },
    {
      name: 'gpu.budget',
      type: 'list',
      help: 'Engine memory budget: <gpu index|uuid>:<engine>=<MiB>, repeatable.',
      placeholder: 'BUDGET',
    },
    {
      name: 'gpu.engine-match',
      type: 'list',
      help: 'Attribute processes whose name or command line contains TEXT to ENGINE: <engine>=<TEXT>, repeatable.',
      placeholder: 'MATCH',
    },
    {
      name: 'gpu.procfs',
      type: 'string',
      help: 'procfs to read command lines, parents and cgroups from; empty = process names only.',
      default: '/proc',
      placeholder: 'PATH',
    },
    {
      name: 'gpu.amd-uuid',
      type: 'list',
      help: 'uuid label for an AMD card: <card index>=<uuid>.',
      placeholder: 'MAP',
    },
  ],
  fromInventory: gpuOptionsFromInventory,
  create: (o) => new GpuCollector(gpuConfigFromOptions(o)),
};
