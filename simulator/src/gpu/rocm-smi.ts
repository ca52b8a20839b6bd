// A fake `rocm-smi` for AMD nodes: the JSON shapes of `--showmeminfo vram`, `--showpids`,
// `--showuse`, `--showtemp`, `--showpower`, `--showproductname` (keys as rocm_smi.py prints them:
// per device `card<N>`, process rows under `system` as "PID<pid>": "name, gpus, vram, sdma, cu").
import type { ToolResult } from './nvidia-smi';
import { isGpuLost } from './snapshot';
import type { GpuSnapshot, NodeGpuSnapshot } from './snapshot';

const MIB = 1024 * 1024;

export const ROCM_SMI_USAGE = `usage: rocm-smi [-h] [--json] [--showmeminfo vram] [--showpids] [--showuse]
                [--showtemp] [--showpower] [--showproductname] [-d DEVICE [DEVICE ...]]

AMD ROCm System Management Interface (simulated by okome-sim)
`;

function deviceSection(g: GpuSnapshot, flags: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (flags.has('--showproductname')) {
    out['Card series'] = g.name;
    out['Card model'] = '0x150e';
    out['Card vendor'] = 'Advanced Micro Devices, Inc. [AMD/ATI]';
    out['Card SKU'] = 'STRIXHALO';
  }
  if (flags.has('--showtemp')) out['Temperature (Sensor edge) (C)'] = g.temperatureC.toFixed(1);
  if (flags.has('--showpower'))
    out['Current Socket Graphics Package Power (W)'] = g.powerW.toFixed(3);
  if (flags.has('--showuse')) out['GPU use (%)'] = String(g.utilizationGpu);
  if (flags.has('vram')) {
    out['VRAM Total Memory (B)'] = String(g.totalMiB * MIB);
    out['VRAM Total Used Memory (B)'] = String((g.usedMiB + g.reservedMiB) * MIB);
  }
  return out;
}

function plainLines(snap: NodeGpuSnapshot, gpus: GpuSnapshot[], flags: Set<string>): string {
  const out: string[] = [];
  out.push(
    '',
    '',
    '============================ ROCm System Management Interface ============================',
  );
  for (const g of gpus) {
    for (const [k, v] of Object.entries(deviceSection(g, flags)))
      out.push(`GPU[${g.index}]\t\t: ${k}: ${v}`);
  }
  if (flags.has('--showpids')) {
    out.push('================================= KFD Processes =================================');
    const rows = gpus.flatMap((g) => g.processes.map((p) => ({ g, p })));
    if (!rows.length) out.push('No KFD PIDs currently running');
    else {
      out.push('KFD process information:');
      out.push('PID\tPROCESS NAME\tGPU(s)\tVRAM USED\tSDMA USED\tCU OCCUPANCY\t');
      for (const { p } of rows)
        out.push(`${p.pid}\t${processBase(p.name)}\t1\t${p.usedMiB * MIB}\t0\t0\t`);
    }
  }
  out.push('==================================================================================');
  out.push('=============================== End of ROCm SMI Log ==============================');
  void snap;
  return `${out.join('\n')}\n`;
}

/** Python's json.dumps layout (", " and ": " separators), which rocm_smi.py prints. */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
    .join(', ')}}`;
}

const processBase = (name: string) => name.split(/\s+/)[0]?.split('/').pop() ?? name;

export function runRocmSmi(args: string[], snap: NodeGpuSnapshot | undefined): ToolResult {
  if (args.includes('-h') || args.includes('--help'))
    return { stdout: ROCM_SMI_USAGE, stderr: '', code: 0 };
  if (!snap)
    return {
      stdout: '',
      stderr: 'ERROR:root:Driver not initialized (amdgpu not found in modules)\n',
      code: 0,
    };
  const flags = new Set(args);
  const amd = snap.gpus.filter((g) => g.vendor === 'amd' && !isGpuLost(g));
  const known = [
    '--json',
    '--showmeminfo',
    'vram',
    '--showpids',
    '--showuse',
    '--showtemp',
    '--showpower',
    '--showproductname',
    '-d',
    '--device',
  ];
  const unknown = args.find((a) => a.startsWith('-') && !known.includes(a));
  if (unknown)
    return {
      stdout: '',
      stderr: `${ROCM_SMI_USAGE}rocm-smi: error: unrecognized arguments: ${unknown}\n`,
      code: 2,
    };
  if (!flags.has('--json')) return { stdout: plainLines(snap, amd, flags), stderr: '', code: 0 };
  const json: Record<string, Record<string, string>> = {};
  for (const g of amd) {
    const section = deviceSection(g, flags);
    if (Object.keys(section).length) json[`card${g.index}`] = section;
  }
  if (flags.has('--showpids')) {
    const system: Record<string, string> = {};
    for (const g of amd)
      for (const p of g.processes)
        system[`PID${p.pid}`] = `${processBase(p.name).toLowerCase()}, 1, ${p.usedMiB * MIB}, 0, 0`;
    if (Object.keys(system).length) json.system = system;
  }
  return { stdout: `${pythonJson(json)}\n`, stderr: '', code: 0 };
}
