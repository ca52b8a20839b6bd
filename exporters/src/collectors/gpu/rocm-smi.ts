// `rocm-smi --showmeminfo vram --showpids --json` → per-card memory and KFD processes.
//
// What rocm_smi.py (ROCm/rocm_smi_lib python_smi_tools, ROCm 4.5 to 7.x) prints in JSON mode,
// checked against real recordings in exporters/fixtures/rocm-smi:
// - one `json.dumps` line, possibly after warning lines (and, on old versions, with a non-zero
//   exit code when some query was "Not supported", which the collector tolerates);
// - `card<N>` sections whose values are strings: "VRAM Total Memory (B)" and
//   "VRAM Total Used Memory (B)" in bytes, "None" when the library could not read them;
// - `system` holding one `PID<n>` entry per KFD process, a string made by print2DArray from the
//   text table row: whitespace collapsed, LOWER-CASED, every space turned into ", ", so
//   "name, gpus, vram bytes, sdma bytes, cu occupancy" — "unknown" where the library could not
//   tell. The name is the 15-character `ps -o comm=` (e.g. "vllm::enginecor", "llama-server-du").
//   ROCm 4.0 printed no `system` section at all in JSON mode, and none is printed when no
//   process has /dev/kfd open.
// rocm-smi does not say which card a process uses, only how many, so processes are placed on
// the node's only card or, with several, on the first (see collector).
import { SmiParseError } from './nvidia-smi';

export interface RocmCard {
  readonly index: number;
  readonly totalBytes?: number;
  readonly usedBytes?: number;
}

export interface RocmProcess {
  readonly pid: number;
  /** As rocm-smi prints it: lower-case, at most 15 characters (the kernel's comm). */
  readonly processName: string;
  /** Number of GPUs the process uses; undefined when rocm-smi says "unknown". */
  readonly gpuCount?: number;
  readonly usedBytes?: number;
}

export interface RocmReading {
  readonly cards: RocmCard[];
  readonly processes: RocmProcess[];
}

/** A byte count, or undefined for "None", "N/A", "unknown" and anything else not a number. */
function bytes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  return Number(v);
}

/** The JSON document in rocm-smi's stdout: the first line starting with `{` to the last `}`. */
function jsonDocument(text: string): Record<string, unknown> {
  const start = /^\s*\{/m.exec(text);
  const end = text.lastIndexOf('}');
  if (!start || end < start.index) {
    const said = text.trim().split('\n')[0] ?? '';
    throw new SmiParseError(`rocm-smi printed no JSON: ${said.slice(0, 120) || '(nothing)'}`);
  }
  try {
    // Starts with `{` and parses: an object.
    return JSON.parse(text.slice(start.index, end + 1)) as Record<string, unknown>;
  } catch (err) {
    throw new SmiParseError(`rocm-smi JSON: ${(err as Error).message}`);
  }
}

/**
 * One `PID<n>` value → process, or undefined when it is not the 5-column form. The four
 * columns right of the name are read from the right; the name's own spaces became ", " in
 * rocm-smi, so its pieces are joined back with spaces.
 */
function kfdProcess(pid: number, value: unknown): RocmProcess | undefined {
  if (typeof value !== 'string') return undefined;
  const cells = value.split(', ');
  if (cells.length < 5) return undefined;
  const [gpus, vram] = cells.slice(-4) as [string, string];
  const gpuCount = bytes(gpus);
  return {
    pid,
    processName: cells.slice(0, -4).join(' ').trim(),
    gpuCount,
    usedBytes: bytes(vram),
  };
}

export function parseRocmSmi(text: string): RocmReading {
  const doc = jsonDocument(text);
  const cards: RocmCard[] = [];
  const processes: RocmProcess[] = [];
  for (const [key, section] of Object.entries(doc)) {
    if (!section || typeof section !== 'object') continue;
    const fields = section as Record<string, unknown>;
    const card = /^card(\d+)$/.exec(key);
    if (card) {
      cards.push({
        index: Number(card[1]),
        totalBytes: bytes(fields['VRAM Total Memory (B)']),
        usedBytes: bytes(fields['VRAM Total Used Memory (B)']),
      });
      continue;
    }
    if (key !== 'system') continue;
    for (const [k, v] of Object.entries(fields)) {
      const pid = /^PID(\d+)$/.exec(k);
      const p = pid ? kfdProcess(Number(pid[1]), v) : undefined;
      // A process with /dev/kfd open on no GPU ("0" GPUs: kfd_open, idle test binaries) holds
      // no GPU memory: it is not a GPU process.
      if (p && p.gpuCount !== 0) processes.push(p);
    }
  }
  if (!cards.length)
    throw new SmiParseError(
      `rocm-smi JSON has no card<N> section (keys: ${Object.keys(doc).join(', ') || 'none'})`,
    );
  cards.sort((a, b) => a.index - b.index);
  return { cards, processes };
}
