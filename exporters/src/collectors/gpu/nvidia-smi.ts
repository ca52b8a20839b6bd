// nvidia-smi CSV (`--format=csv,noheader,nounits`, or with header and units) → typed readings. Names and scales follow
// utkuozdemir/nvidia_gpu_exporter so its dashboards keep working (research/exporters.md §2.1).

/** Fields asked of `--query-gpu`, in this order. All exist on every driver since R450. */
export const QUERY_GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'driver_version',
  'pci.bus_id',
  'serial',
  'vbios_version',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'utilization.memory',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'clocks.current.sm',
  'pstate',
  'fan.speed',
] as const;
export type GpuField = (typeof QUERY_GPU_FIELDS)[number];

export const QUERY_APPS_FIELDS = ['pid', 'process_name', 'used_gpu_memory', 'gpu_uuid'] as const;

export function queryGpuArgs(): string[] {
  return [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
}
export function queryAppsArgs(): string[] {
  return [`--query-compute-apps=${QUERY_APPS_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
}

const MIB = 1024 * 1024;

/** Numeric fields → exported gauge (nvidia_gpu_exporter naming: unit suffix, base units). */
export const GPU_METRICS: readonly {
  field: GpuField;
  name: string;
  help: string;
  scale: number;
}[] = [
  {
    field: 'memory.total',
    name: 'nvidia_smi_memory_total_bytes',
    help: 'Total GPU memory.',
    scale: MIB,
  },
  {
    field: 'memory.used',
    name: 'nvidia_smi_memory_used_bytes',
    help: 'Used GPU memory.',
    scale: MIB,
  },
  {
    field: 'memory.free',
    name: 'nvidia_smi_memory_free_bytes',
    help: 'Free GPU memory.',
    scale: MIB,
  },
  {
    field: 'utilization.gpu',
    name: 'nvidia_smi_utilization_gpu_ratio',
    help: 'GPU utilization (0-1).',
    scale: 0.01,
  },
  {
    field: 'utilization.memory',
    name: 'nvidia_smi_utilization_memory_ratio',
    help: 'Memory controller utilization (0-1).',
    scale: 0.01,
  },
  {
    field: 'temperature.gpu',
    name: 'nvidia_smi_temperature_gpu',
    help: 'GPU core temperature in degrees Celsius.',
    scale: 1,
  },
  { field: 'power.draw', name: 'nvidia_smi_power_draw_watts', help: 'Power draw.', scale: 1 },
  {
    field: 'power.limit',
    name: 'nvidia_smi_power_limit_watts',
    help: 'Software power limit.',
    scale: 1,
  },
  {
    field: 'clocks.current.sm',
    name: 'nvidia_smi_clocks_current_sm_clock_hz',
    help: 'Current SM clock.',
    scale: 1e6,
  },
  {
    field: 'pstate',
    name: 'nvidia_smi_pstate',
    help: 'Performance state (0 = P0, maximum performance).',
    scale: 1,
  },
  { field: 'fan.speed', name: 'nvidia_smi_fan_speed_ratio', help: 'Fan speed (0-1).', scale: 0.01 },
];

export interface GpuReading {
  readonly index: number;
  /** Lower-case, without `GPU-`, as nvidia_gpu_exporter labels it. */
  readonly uuid: string;
  readonly name: string;
  readonly driverVersion: string;
  readonly pciBusId: string;
  readonly serial: string;
  readonly vbiosVersion: string;
  /** Field → value in the field's own unit; unavailable fields are absent. */
  readonly values: ReadonlyMap<GpuField, number>;
}

export interface ComputeApp {
  readonly pid: number;
  readonly processName: string;
  /** Undefined when nvidia-smi cannot tell ([N/A], [Insufficient Permissions]). */
  readonly usedBytes?: number;
  readonly uuid: string;
}

export class SmiParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmiParseError';
  }
}

/** `GPU-8F3A…` → `8f3a…` */
export function normalizeUuid(uuid: string): string {
  return uuid.trim().replace(/^GPU-/i, '').toLowerCase();
}

/** [N/A], N/A, [Not Supported], [Insufficient Permissions], [Unknown Error], empty → absent. */
function unavailable(v: string): boolean {
  return v === '' || /^\[.*\]$/.test(v) || /^n\/a$/i.test(v);
}

function numeric(field: GpuField, raw: string): number | undefined {
  const v = raw.trim();
  if (unavailable(v)) return undefined;
  if (field === 'pstate') {
    const m = /^P(\d+)$/i.exec(v);
    return m ? Number(m[1]) : undefined;
  }
  const n = Number(v.replace(/\s*(MiB|%|W|MHz|C)$/i, ''));
  return Number.isFinite(n) ? n : undefined;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Column names of a `--format=csv` header line (`memory.used [MiB]` → `memory.used`), or
 * undefined for a data line. The collector asks for `noheader`; recorded output (and anyone
 * running the tool by hand) keeps the header, which then decides the column order.
 */
function headerColumns(line: string, known: readonly string[]): string[] | undefined {
  const cols = line.split(',').map((c) => c.trim().replace(/\s*\[[^\]]*\]$/, ''));
  if (/^\d/.test(cols[0] ?? '') || !cols.some((c) => known.includes(c))) return undefined;
  return cols;
}

function requireColumns(tool: string, cols: readonly string[], needed: readonly string[]): void {
  const missing = needed.filter((f) => !cols.includes(f));
  if (missing.length)
    throw new SmiParseError(`${tool} line 1: the header has no ${missing.join(', ')} column`);
}

export function parseQueryGpu(text: string): GpuReading[] {
  const out: GpuReading[] = [];
  const rows = lines(text);
  const header = rows.length ? headerColumns(rows[0] as string, QUERY_GPU_FIELDS) : undefined;
  const cols: readonly string[] = header ?? QUERY_GPU_FIELDS;
  if (header) requireColumns('nvidia-smi --query-gpu', header, ['index', 'uuid']);
  const first = header ? 1 : 0;
  rows.slice(first).forEach((line, n) => {
    const i = n + first;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== cols.length)
      throw new SmiParseError(
        `nvidia-smi --query-gpu line ${i + 1}: expected ${cols.length} fields, got ${cells.length}: ${line.slice(0, 120)}`,
      );
    // A field the header does not have reads as unavailable (left out), like [N/A].
    const cell = (f: GpuField) => cells[cols.indexOf(f)] ?? '';
    const index = Number(cell('index'));
    if (!Number.isInteger(index) || unavailable(cell('uuid')))
      throw new SmiParseError(
        `nvidia-smi --query-gpu line ${i + 1}: no index/uuid: ${line.slice(0, 120)}`,
      );
    const values = new Map<GpuField, number>();
    for (const m of GPU_METRICS) {
      const n = numeric(m.field, cell(m.field));
      if (n !== undefined) values.set(m.field, n);
    }
    const text = (f: GpuField) => (unavailable(cell(f)) ? '' : cell(f));
    out.push({
      index,
      uuid: normalizeUuid(cell('uuid')),
      name: text('name'),
      driverVersion: text('driver_version'),
      pciBusId: text('pci.bus_id'),
      serial: text('serial'),
      vbiosVersion: text('vbios_version'),
      values,
    });
  });
  return out;
}

/** Other spellings nvidia-smi accepts for the compute-apps fields (--help-query-compute-apps). */
const APPS_ALIASES: Record<string, string> = {
  name: 'process_name',
  used_memory: 'used_gpu_memory',
};

/**
 * `pid, process_name, used_gpu_memory, gpu_uuid` (or the columns a header names). Process names
 * may contain commas, so the columns left of the name are read from the left and those right
 * of it from the right. Rows without a numeric pid are skipped.
 */
export function parseComputeApps(text: string): ComputeApp[] {
  const out: ComputeApp[] = [];
  const rows = lines(text);
  const known = [...QUERY_APPS_FIELDS, ...Object.keys(APPS_ALIASES)];
  const header = rows.length ? headerColumns(rows[0] as string, known) : undefined;
  const cols = (header ?? [...QUERY_APPS_FIELDS]).map((c) => APPS_ALIASES[c] ?? c);
  if (header) requireColumns('nvidia-smi --query-compute-apps', cols, ['pid', 'gpu_uuid']);
  const nameAt = cols.indexOf('process_name');
  for (const line of rows.slice(header ? 1 : 0)) {
    if (/^no running (compute )?processes found/i.test(line)) continue;
    const raw = line.split(',');
    if (raw.length < cols.length) continue;
    const extra = raw.length - cols.length; // commas inside the process name
    const cell = (f: string): string => {
      const at = cols.indexOf(f);
      if (at < 0) return '';
      if (nameAt >= 0 && at === nameAt)
        return raw
          .slice(at, at + extra + 1)
          .join(',')
          .trim();
      return (raw[nameAt >= 0 && at > nameAt ? at + extra : at] as string).trim();
    };
    const pid = Number(cell('pid'));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const mem = cell('used_gpu_memory');
    const processName = cell('process_name');
    const mib = unavailable(mem) ? undefined : Number(mem.replace(/\s*MiB$/i, ''));
    out.push({
      pid,
      processName: unavailable(processName) ? '' : processName,
      usedBytes: mib !== undefined && Number.isFinite(mib) ? mib * MIB : undefined,
      uuid: normalizeUuid(cell('gpu_uuid')),
    });
  }
  return out;
}
