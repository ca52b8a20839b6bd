// `rocm-smi --showmeminfo vram --showpids --json` → per-card memory and KFD processes. Values are
// strings of bytes under `card<N>`; processes sit under `system` as `PID<n>: "name, gpus, vram,
// sdma, cu"` (rocm_smi.py showMemInfo/showPids). rocm-smi does not say which card a process
// uses, only how many, so processes are placed on the node's only card or, with several, on
// the card named by the inventory/override (see collector).
import { SmiParseError } from './nvidia-smi';

export interface RocmCard {
  readonly index: number;
  readonly totalBytes?: number;
  readonly usedBytes?: number;
}

export interface RocmProcess {
  readonly pid: number;
  readonly processName: string;
  readonly gpuCount: number;
  readonly usedBytes?: number;
}

export interface RocmReading {
  readonly cards: RocmCard[];
  readonly processes: RocmProcess[];
}

function bytes(v: unknown): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function parseRocmSmi(text: string): RocmReading {
  // rocm-smi may print warnings before the JSON document.
  const start = text.indexOf('{');
  if (start < 0) throw new SmiParseError(`rocm-smi printed no JSON: ${text.trim().slice(0, 120)}`);
  let doc: Record<string, Record<string, unknown>>;
  try {
    doc = JSON.parse(text.slice(start)) as Record<string, Record<string, unknown>>;
  } catch (err) {
    throw new SmiParseError(`rocm-smi JSON: ${(err as Error).message}`);
  }
  const cards: RocmCard[] = [];
  const processes: RocmProcess[] = [];
  for (const [key, section] of Object.entries(doc)) {
    const card = /^card(\d+)$/.exec(key);
    if (card && section && typeof section === 'object') {
      cards.push({
        index: Number(card[1]),
        totalBytes: bytes(section['VRAM Total Memory (B)']),
        usedBytes: bytes(section['VRAM Total Used Memory (B)']),
      });
      continue;
    }
    if (key !== 'system' || !section || typeof section !== 'object') continue;
    for (const [k, v] of Object.entries(section)) {
      const pid = /^PID(\d+)$/.exec(k);
      if (!pid || typeof v !== 'string') continue;
      // name may contain commas: the four numeric columns are read from the right.
      const cells = v.split(',').map((c) => c.trim());
      if (cells.length < 5) continue;
      const [gpus, vram] = cells.slice(-4);
      processes.push({
        pid: Number(pid[1]),
        processName: cells.slice(0, -4).join(', '),
        gpuCount: Number(gpus) || 0,
        usedBytes: bytes(vram),
      });
    }
  }
  cards.sort((a, b) => a.index - b.index);
  return { cards, processes };
}
