// The gpu collector: per-GPU nvidia_smi_* (nvidia_gpu_exporter-compatible) and GPU memory
// arbitration between the engines sharing a GPU (gpu_arbiter_*), read at scrape time.
import type { Gauge, Registry } from 'prom-client';
import type { EngineKind, Inventory, InventoryNode } from '@okome/provisioning';
import { provisioning } from '../../provisioning-lazy';
import type { Collector, CollectorDefinition, ScrapeContext } from '../../core/collector';
import { FlagError } from '../../core/flags';
import { promClient } from '../../core/prom-client-lazy';
import { TimeoutError } from '../../core/timeout';
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
  /** Previous tool output may serve a scrape when the tools are slower than its deadline. */
  readonly maxAgeMs: number;
  /** Deadline of one tool run, independent of scrapes. */
  readonly toolTimeoutMs: number;
}

interface ToolOutputs {
  nvidia?: { gpu: PromiseSettledResult<string>; apps: PromiseSettledResult<string> };
  amd?: PromiseSettledResult<string>;
}

function isEngine(s: string): s is EngineKind {
  return (provisioning().ENGINE_KINDS as readonly string[]).includes(s);
}

/** `<gpu index|uuid>:<engine>=<MiB>` entries → budgets. */
export function parseBudgets(entries: readonly string[]): Map<string, Map<EngineKind, number>> {
  const out = new Map<string, Map<EngineKind, number>>();
  for (const entry of entries) {
    const m = /^([^:]+):([a-z]+)=(\d+(?:\.\d+)?)$/.exec(entry.trim());
    if (!m || !isEngine(m[2] as string))
      throw new FlagError(
        `--gpu.budget: "${entry}" is not <gpu index|uuid>:<engine>=<MiB> with engine one of ${provisioning().ENGINE_KINDS.join(', ')}`,
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
        `--gpu.engine-match: "${entry}" is not <engine>=<process name fragment> with engine one of ${provisioning().ENGINE_KINDS.join(', ')}`,
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
    maxAgeMs: o.duration('gpu.max-age') ?? 15_000,
    toolTimeoutMs: o.duration('gpu.tool-timeout') ?? 10_000,
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
    const { Gauge } = promClient();
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

  private inflight?: Promise<ToolOutputs>;
  private last?: { at: number; outputs: ToolOutputs };

  async collect(ctx: ScrapeContext): Promise<void> {
    const { outputs, ageMs } = await this.outputs(ctx);
    const m = new GpuMetrics(ctx.registry);
    new (promClient().Gauge)({
      name: 'gpu_arbiter_collect_age_seconds',
      help: 'Age of the GPU tool output behind this scrape: 0 when fresh; up to --gpu.max-age when the tools were slower than the scrape deadline and the previous output was served.',
      registers: [ctx.registry],
    }).set(ageMs / 1000);
    const errors: unknown[] = [];
    const fail = (err: unknown) => errors.push(err);
    if (outputs.nvidia) {
      try {
        this.renderNvidia(outputs.nvidia, m, fail);
      } catch (err) {
        errors.push(err);
      }
    }
    if (outputs.amd) {
      try {
        this.renderAmd(outputs.amd, m);
      } catch (err) {
        errors.push(err);
      }
    }
    const vendorsDown = [outputs.nvidia?.gpu, outputs.amd].filter(
      (r) => r && r.status === 'rejected',
    ).length;
    if (errors.length && vendorsDown === this.config.vendors.length) throw errors[0];
    if (errors.length) ctx.fail(errors[0]);
  }

  /**
   * Tool output for this scrape. The tools run on their own deadline (--gpu.tool-timeout), shared
   * by concurrent scrapes; when they are slower than the scrape deadline, the previous output is
   * used if it is at most --gpu.max-age old.
   */
  private async outputs(ctx: ScrapeContext): Promise<{ outputs: ToolOutputs; ageMs: number }> {
    if (!this.inflight) {
      const ac = new AbortController();
      const timer = setTimeout(
        () => ac.abort(new TimeoutError(this.config.toolTimeoutMs)),
        this.config.toolTimeoutMs,
      );
      const run = this.readTools(ac.signal).then((outputs) => {
        this.last = { at: Date.now(), outputs };
        return outputs;
      });
      this.inflight = run;
      void run.finally(() => {
        clearTimeout(timer);
        if (this.inflight === run) this.inflight = undefined;
      });
    }
    const fresh = this.inflight;
    // Leave a fifth of the deadline to render: a loaded machine delays timers and the core
    // drops whatever arrives after the deadline.
    const margin = Math.max(1, ctx.timeoutMs * 0.8);
    let t: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      fresh.then((outputs) => ({ outputs })),
      new Promise<undefined>((r) => {
        t = setTimeout(() => r(undefined), margin);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), r(undefined)), { once: true });
      }),
    ]);
    // Fresh output won: the margin timer would otherwise hold the process for seconds.
    clearTimeout(t);
    if (first) return { outputs: first.outputs, ageMs: 0 };
    const last = this.last;
    if (last && Date.now() - last.at <= this.config.maxAgeMs)
      return { outputs: last.outputs, ageMs: Date.now() - last.at };
    throw new TimeoutError(ctx.timeoutMs);
  }

  private async readTools(signal: AbortSignal): Promise<ToolOutputs> {
    const out: ToolOutputs = {};
    const jobs: Promise<void>[] = [];
    if (this.config.vendors.includes('nvidia')) {
      const path = this.config.nvidiaSmiPath;
      jobs.push(
        Promise.allSettled([
          runTool(path, queryGpuArgs(), signal, '--gpu.nvidia-smi-path'),
          runTool(path, queryAppsArgs(), signal, '--gpu.nvidia-smi-path'),
        ]).then(([gpu, apps]) => {
          out.nvidia = { gpu, apps };
        }),
      );
    }
    if (this.config.vendors.includes('amd')) {
      jobs.push(
        Promise.allSettled([
          runTool(
            this.config.rocmSmiPath,
            ['--showmeminfo', 'vram', '--showpids', '--json'],
            signal,
            '--gpu.rocm-smi-path',
            (stdout) => /^\s*\{/m.test(stdout),
          ),
        ]).then(([r]) => {
          out.amd = r;
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  private renderNvidia(
    o: NonNullable<ToolOutputs['nvidia']>,
    m: GpuMetrics,
    fail: (err: unknown) => void,
  ) {
    if (o.gpu.status === 'rejected') throw o.gpu.reason;
    const gpus = parseQueryGpu(o.gpu.value);
    let apps: ReturnType<typeof parseComputeApps> = [];
    if (o.apps.status === 'rejected') fail(o.apps.reason);
    else apps = parseComputeApps(o.apps.value);

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

  private renderAmd(o: PromiseSettledResult<string>, m: GpuMetrics) {
    if (o.status === 'rejected') throw o.reason;
    const { cards, processes } = parseRocmSmi(o.value);
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
      name: 'gpu.max-age',
      type: 'duration',
      help: 'nvidia-smi/rocm-smi are expensive: when they do not answer within the scrape deadline, serve their previous output if at most this old (see gpu_arbiter_collect_age_seconds); 0 = always fresh.',
      default: '15s',
    },
    {
      name: 'gpu.tool-timeout',
      type: 'duration',
      help: 'Kill a GPU tool run after this long (one run serves concurrent scrapes).',
      default: '10s',
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
