// A fake `nvidia-smi`: prints what the real tool prints for the query modes exporters use
// (--query-gpu, --query-compute-apps, -L), in its exact CSV shape, from a node's GPU snapshot.
import { cardTraits } from './cards';
import { isGpuLost } from './snapshot';
import type { GpuProcessSnapshot, GpuSnapshot, NodeGpuSnapshot } from './snapshot';

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

interface Field {
  canonical: string;
  unit?: string;
  value: (gpu: GpuSnapshot, ctx: Ctx) => string;
}

interface Ctx {
  snap: NodeGpuSnapshot;
  now: Date;
}

const NA = '[N/A]';

export function nvidiaTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

const traits = (g: GpuSnapshot) => cardTraits(g.name);
const onlyDc = (g: GpuSnapshot, v: string) => (traits(g).datacenter ? v : NA);
const notIntegrated = (g: GpuSnapshot, v: string) => (traits(g).integrated ? NA : v);
const idle = (g: GpuSnapshot) => g.utilizationGpu === 0;

const GPU_FIELDS: Field[] = [
  { canonical: 'timestamp', value: (_g, c) => nvidiaTimestamp(c.now) },
  { canonical: 'driver_version', value: (_g, c) => c.snap.driverVersion },
  { canonical: 'count', value: (_g, c) => String(c.snap.gpus.length) },
  { canonical: 'name', value: (g) => g.name },
  { canonical: 'serial', value: (g) => onlyDc(g, g.serial) },
  { canonical: 'uuid', value: (g) => g.uuid },
  { canonical: 'pci.bus_id', value: (g) => g.busId },
  { canonical: 'pci.domain', value: () => '0x0000' },
  { canonical: 'pci.bus', value: (g) => `0x${g.busId.slice(9, 11)}` },
  { canonical: 'index', value: (g) => String(g.index) },
  { canonical: 'vbios_version', value: (g) => traits(g).vbios },
  { canonical: 'compute_cap', value: (g) => traits(g).computeCap },
  { canonical: 'display_mode', value: (g) => (traits(g).datacenter ? 'Disabled' : 'Enabled') },
  { canonical: 'display_active', value: () => 'Disabled' },
  { canonical: 'persistence_mode', value: (g) => (traits(g).datacenter ? 'Enabled' : 'Disabled') },
  {
    canonical: 'pcie.link.gen.current',
    value: (g) => notIntegrated(g, String(idle(g) ? 1 : traits(g).pcieGen)),
  },
  { canonical: 'pcie.link.gen.max', value: (g) => notIntegrated(g, String(traits(g).pcieGen)) },
  {
    canonical: 'pcie.link.width.current',
    value: (g) => notIntegrated(g, String(traits(g).pcieWidth)),
  },
  { canonical: 'pcie.link.width.max', value: (g) => notIntegrated(g, String(traits(g).pcieWidth)) },
  {
    canonical: 'fan.speed',
    unit: '%',
    value: (g) => (traits(g).datacenter || traits(g).integrated ? NA : String(g.fanPercent)),
  },
  { canonical: 'pstate', value: (g) => g.pstate },
  {
    canonical: 'clocks_event_reasons.active',
    value: (g) => (idle(g) ? '0x0000000000000001' : '0x0000000000000000'),
  },
  { canonical: 'memory.total', unit: 'MiB', value: (g) => notIntegrated(g, String(g.totalMiB)) },
  {
    canonical: 'memory.reserved',
    unit: 'MiB',
    value: (g) => notIntegrated(g, String(g.reservedMiB)),
  },
  { canonical: 'memory.used', unit: 'MiB', value: (g) => notIntegrated(g, String(g.usedMiB)) },
  {
    canonical: 'memory.free',
    unit: 'MiB',
    value: (g) => notIntegrated(g, String(Math.max(0, g.totalMiB - g.reservedMiB - g.usedMiB))),
  },
  { canonical: 'compute_mode', value: () => 'Default' },
  { canonical: 'utilization.gpu', unit: '%', value: (g) => String(g.utilizationGpu) },
  {
    canonical: 'utilization.memory',
    unit: '%',
    value: (g) => notIntegrated(g, String(g.utilizationMemory)),
  },
  { canonical: 'encoder.stats.sessionCount', value: () => '0' },
  { canonical: 'encoder.stats.averageFps', value: () => '0' },
  { canonical: 'encoder.stats.averageLatency', value: () => '0' },
  { canonical: 'ecc.mode.current', value: (g) => onlyDc(g, 'Enabled') },
  { canonical: 'ecc.mode.pending', value: (g) => onlyDc(g, 'Enabled') },
  { canonical: 'ecc.errors.corrected.volatile.total', value: (g) => onlyDc(g, '0') },
  { canonical: 'ecc.errors.uncorrected.volatile.total', value: (g) => onlyDc(g, '0') },
  { canonical: 'ecc.errors.corrected.aggregate.total', value: (g) => onlyDc(g, '0') },
  { canonical: 'ecc.errors.uncorrected.aggregate.total', value: (g) => onlyDc(g, '0') },
  { canonical: 'retired_pages.pending', value: (g) => onlyDc(g, 'No') },
  { canonical: 'mig.mode.current', value: (g) => onlyDc(g, 'Disabled') },
  { canonical: 'temperature.gpu', value: (g) => String(g.temperatureC) },
  {
    canonical: 'temperature.memory',
    value: (g) => (traits(g).datacenter ? String(g.temperatureC + 4) : 'N/A'),
  },
  { canonical: 'power.management', value: (g) => notIntegrated(g, 'Enabled') },
  { canonical: 'power.draw', unit: 'W', value: (g) => g.powerW.toFixed(2) },
  { canonical: 'power.draw.average', unit: 'W', value: (g) => g.powerW.toFixed(2) },
  { canonical: 'power.draw.instant', unit: 'W', value: (g) => g.powerW.toFixed(2) },
  { canonical: 'power.limit', unit: 'W', value: (g) => traits(g).powerLimitW.toFixed(2) },
  { canonical: 'enforced.power.limit', unit: 'W', value: (g) => traits(g).powerLimitW.toFixed(2) },
  { canonical: 'power.default_limit', unit: 'W', value: (g) => traits(g).powerLimitW.toFixed(2) },
  {
    canonical: 'power.min_limit',
    unit: 'W',
    value: (g) => (traits(g).powerLimitW * 0.33).toFixed(2),
  },
  {
    canonical: 'power.max_limit',
    unit: 'W',
    value: (g) => (traits(g).powerLimitW * (traits(g).datacenter ? 1 : 1.33)).toFixed(2),
  },
  { canonical: 'clocks.current.graphics', unit: 'MHz', value: (g) => String(g.smClockMHz) },
  { canonical: 'clocks.current.sm', unit: 'MHz', value: (g) => String(g.smClockMHz) },
  {
    canonical: 'clocks.current.memory',
    unit: 'MHz',
    value: (g) => String(idle(g) ? 405 : traits(g).memClockMHz),
  },
  { canonical: 'clocks.current.video', unit: 'MHz', value: (g) => String(idle(g) ? 555 : 1965) },
  { canonical: 'clocks.max.graphics', unit: 'MHz', value: (g) => String(traits(g).maxSmClockMHz) },
  { canonical: 'clocks.max.sm', unit: 'MHz', value: (g) => String(traits(g).maxSmClockMHz) },
  { canonical: 'clocks.max.memory', unit: 'MHz', value: (g) => String(traits(g).memClockMHz) },
];

/** Aliases nvidia-smi accepts; the header always shows the canonical name. */
const GPU_ALIASES: Record<string, string> = {
  gpu_name: 'name',
  gpu_serial: 'serial',
  gpu_uuid: 'uuid',
  gpu_bus_id: 'pci.bus_id',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks.video': 'clocks.current.video',
  'clocks.max.gr': 'clocks.max.graphics',
  'clocks.max.mem': 'clocks.max.memory',
  'clocks_throttle_reasons.active': 'clocks_event_reasons.active',
  'enforced.power.limit': 'enforced.power.limit',
  'power.draw': 'power.draw',
  'pcie.link.gen.gpucurrent': 'pcie.link.gen.current',
};

interface AppField {
  canonical: string;
  unit?: string;
  value: (gpu: GpuSnapshot, p: GpuProcessSnapshot, ctx: Ctx) => string;
}

const APP_FIELDS: AppField[] = [
  { canonical: 'timestamp', value: (_g, _p, c) => nvidiaTimestamp(c.now) },
  { canonical: 'gpu_name', value: (g) => g.name },
  { canonical: 'gpu_bus_id', value: (g) => g.busId },
  { canonical: 'gpu_serial', value: (g) => onlyDc(g, g.serial) },
  { canonical: 'gpu_uuid', value: (g) => g.uuid },
  { canonical: 'pid', value: (_g, p) => String(p.pid) },
  { canonical: 'process_name', value: (_g, p) => p.name },
  {
    canonical: 'used_gpu_memory',
    unit: 'MiB',
    value: (g, p) => (traits(g).integrated ? NA : String(p.usedMiB)),
  },
];
const APP_ALIASES: Record<string, string> = {
  name: 'process_name',
  used_memory: 'used_gpu_memory',
};

interface Format {
  header: boolean;
  units: boolean;
}

function parseFormat(spec: string | undefined): Format | string {
  if (spec === undefined) return '"--format" is required with a query option.';
  const parts = spec.split(',').map((s) => s.trim());
  if (!parts.includes('csv')) return `Invalid format "${spec}": csv is required.`;
  for (const p of parts)
    if (!['csv', 'noheader', 'nounits'].includes(p)) return `Invalid format option "${p}".`;
  return { header: !parts.includes('noheader'), units: !parts.includes('nounits') };
}

function cell(value: string, unit: string | undefined, fmt: Format): string {
  if (!unit || !fmt.units || value.startsWith('[') || value === 'N/A') return value;
  return `${value} ${unit}`;
}

function headerCell(name: string, unit: string | undefined, fmt: Format): string {
  return unit && fmt.units ? `${name} [${unit}]` : name;
}

function resolveFields<F extends { canonical: string }>(
  list: string,
  fields: F[],
  aliases: Record<string, string>,
): F[] | string {
  const out: F[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    const canonical = aliases[name] ?? name;
    const field = fields.find((f) => f.canonical === canonical);
    if (!field) return name;
    out.push(field);
  }
  return out;
}

function lostMessage(g: GpuSnapshot): string {
  return `Unable to determine the device handle for GPU${g.busId}: GPU is lost.  Reboot the system to recover this GPU`;
}

const DRIVER_DOWN =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";

export const NVIDIA_SMI_USAGE = `NVIDIA System Management Interface -- v${'550.90.07'}

Simulated by okome-sim. Supported:
    -L, --list-gpus            Display a list of GPUs connected to the system.
    --query-gpu=FIELDS         Information about GPU (see --help-query-gpu).
    --query-compute-apps=FIELDS  Information about currently active compute processes.
    --format=csv[,noheader][,nounits]
    -i, --id=ID                Target a specific GPU (index, UUID or PCI bus id).
`;

function takeOption(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    for (const n of names) {
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
      if (a === n) return args[i + 1];
    }
  }
  return undefined;
}

function selectGpus(snap: NodeGpuSnapshot, id: string | undefined): GpuSnapshot[] | string {
  if (id === undefined) return snap.gpus;
  const ids = id.split(',');
  const picked = snap.gpus.filter((g) =>
    ids.some(
      (x) => x === String(g.index) || x === g.uuid || x.toLowerCase() === g.busId.toLowerCase(),
    ),
  );
  if (!picked.length) return `No devices were found`;
  return picked;
}

/** Runs the fake tool on a snapshot. `snap` undefined or with a dead owner: driver down. */
export function runNvidiaSmi(
  args: string[],
  snap: NodeGpuSnapshot | undefined,
  now: Date = new Date(),
): ToolResult {
  if (args.includes('-h') || args.includes('--help'))
    return { stdout: NVIDIA_SMI_USAGE, stderr: '', code: 0 };
  if (!snap) return { stdout: DRIVER_DOWN, stderr: '', code: 9 };
  const ctx: Ctx = { snap, now };
  const selected = selectGpus(snap, takeOption(args, ['-i', '--id']));
  if (typeof selected === 'string') return { stdout: `${selected}\n`, stderr: '', code: 6 };
  const nvGpus = selected.filter((g) => g.vendor === 'nvidia');
  if (!nvGpus.length) return { stdout: 'No devices were found\n', stderr: '', code: 6 };
  const lost = nvGpus.filter(isGpuLost);
  const live = nvGpus.filter((g) => !isGpuLost(g));
  const stderr = lost.map((g) => `${lostMessage(g)}\n`).join('');
  const code = lost.length ? 15 : 0;

  if (args.includes('-L') || args.includes('--list-gpus')) {
    const lines = live.map((g) => `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`).join('');
    return { stdout: lines, stderr, code };
  }

  const gpuQuery = takeOption(args, ['--query-gpu']);
  const appQuery = takeOption(args, ['--query-compute-apps']);
  if (gpuQuery === undefined && appQuery === undefined) {
    return { stdout: renderSummary(snap, nvGpus, now), stderr, code };
  }
  const fmt = parseFormat(takeOption(args, ['--format']));
  if (typeof fmt === 'string') return { stdout: `${fmt}\n`, stderr: '', code: 2 };

  if (gpuQuery !== undefined) {
    const fields = resolveFields(gpuQuery, GPU_FIELDS, GPU_ALIASES);
    if (typeof fields === 'string')
      return {
        stdout: `Field "${fields}" is not a valid field to query.\n\n`,
        stderr: '',
        code: 2,
      };
    const lines: string[] = [];
    if (fmt.header) lines.push(fields.map((f) => headerCell(f.canonical, f.unit, fmt)).join(', '));
    for (const g of live)
      lines.push(fields.map((f) => cell(f.value(g, ctx), f.unit, fmt)).join(', '));
    return { stdout: lines.map((l) => `${l}\n`).join(''), stderr, code };
  }

  const fields = resolveFields(appQuery as string, APP_FIELDS, APP_ALIASES);
  if (typeof fields === 'string')
    return { stdout: `Field "${fields}" is not a valid field to query.\n\n`, stderr: '', code: 2 };
  const lines: string[] = [];
  if (fmt.header) lines.push(fields.map((f) => headerCell(f.canonical, f.unit, fmt)).join(', '));
  for (const g of live)
    for (const p of g.processes)
      lines.push(fields.map((f) => cell(f.value(g, p, ctx), f.unit, fmt)).join(', '));
  return { stdout: lines.map((l) => `${l}\n`).join(''), stderr, code };
}

/** The default table (`nvidia-smi` without arguments), abridged to one row per GPU. */
function renderSummary(snap: NodeGpuSnapshot, gpus: GpuSnapshot[], now: Date): string {
  const out: string[] = [];
  out.push(now.toString().slice(0, 24));
  out.push(
    '+-----------------------------------------------------------------------------------------+',
  );
  out.push(
    `| NVIDIA-SMI ${snap.driverVersion.padEnd(22)} Driver Version: ${snap.driverVersion.padEnd(14)} CUDA Version: ${snap.cudaVersion.padEnd(8)} |`,
  );
  out.push(
    '|-----------------------------------------+------------------------+----------------------+',
  );
  for (const g of gpus) {
    if (isGpuLost(g)) {
      out.push(`|   ${String(g.index).padEnd(2)} ERR!  ${lostMessage(g).slice(0, 70).padEnd(78)}|`);
      continue;
    }
    out.push(
      `| ${String(g.index).padStart(3)}  ${g.name.slice(0, 30).padEnd(30)}  | ${g.busId.padEnd(22)} | ${`${g.utilizationGpu}%`.padStart(4)} ${String(g.temperatureC).padStart(3)}C ${g.pstate.padEnd(3)} ${`${Math.round(g.powerW)}W`.padStart(5)} |`,
    );
    out.push(
      `|      ${`${g.usedMiB}MiB / ${g.totalMiB}MiB`.padEnd(34)} |                        |                      |`,
    );
  }
  out.push(
    '+-----------------------------------------------------------------------------------------+',
  );
  out.push(
    '| Processes:                                                                              |',
  );
  out.push(
    '|  GPU   PID   Type   Process name                                            GPU Memory  |',
  );
  for (const g of gpus)
    for (const p of isGpuLost(g) ? [] : g.processes)
      out.push(
        `|  ${String(g.index).padStart(3)} ${String(p.pid).padStart(8)}    C   ${p.name.slice(0, 50).padEnd(50)} ${`${p.usedMiB}MiB`.padStart(12)} |`,
      );
  out.push(
    '+-----------------------------------------------------------------------------------------+',
  );
  return `${out.join('\n')}\n`;
}
