import { fixture } from '../../test-support/fixtures';
import { attribute } from './attribution';
import { parseRocmSmi } from './rocm-smi';

const rocm = (name: string) => fixture('rocm-smi', name);

/**
 * The one document `rocm-smi --showmeminfo vram --showpids --json` prints, from two recordings
 * made with the flags apart: rocm_smi.py fills one JSON_DATA dict (cards first, then `system`)
 * and dumps it once.
 */
function together(meminfo: string, pids: string): string {
  return JSON.stringify({ ...JSON.parse(meminfo), ...JSON.parse(pids) });
}

/**
 * What rocm_smi.py's print2DArray stores in JSON mode (ROCm 4.5 on) for each row of a recorded
 * `--showpids` text table: whitespace collapsed, lower-cased, the first cell as `PID<n>`, the
 * rest with every space turned into ", ". Lets the real text recordings (the only ones with
 * "UNKNOWN" columns and zero-GPU processes) stand for the JSON the collector reads.
 */
function jsonModeOf(table: string): string {
  const system: Record<string, string> = {};
  for (const line of table.split('\n')) {
    if (!/^\d+\s/.test(line)) continue;
    const row = line.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
    const cut = row.indexOf(' ');
    system[`PID${row.slice(0, cut)}`] = row.slice(cut + 1).replace(/ /g, ', ');
  }
  return JSON.stringify({ card0: {}, system });
}

describe('parseRocmSmi on recorded output', () => {
  it('reads an MI300X card: VRAM total and used in bytes from strings', () => {
    expect(parseRocmSmi(rocm('meminfo-vram.mi300x.recorded.json'))).toEqual({
      cards: [{ index: 0, totalBytes: 205822885888, usedBytes: 2654650368 }],
      processes: [],
    });
  });

  it('reads the MI300X llama-server process and attributes it to Ollama', () => {
    const r = parseRocmSmi(
      together(
        rocm('meminfo-vram.mi300x.recorded.json'),
        rocm('showpids.mi300x-llama-server.recorded.json'),
      ),
    );
    expect(r.cards).toEqual([{ index: 0, totalBytes: 205822885888, usedBytes: 2654650368 }]);
    expect(r.processes).toEqual([
      { pid: 28389, processName: 'llama-server', gpuCount: 1, usedBytes: 2353860608 },
    ]);
    const [p] = r.processes;
    expect(attribute(p!.pid, p!.processName, { overrides: [] })).toEqual({
      engine: 'ollama',
      via: 'name',
    });
  });

  it('a pids-only document is not a reading: it names what it got', () => {
    expect(() => parseRocmSmi(rocm('showpids.mi300x-llama-server.recorded.json'))).toThrow(
      'rocm-smi JSON has no card<N> section (keys: system)',
    );
  });

  it('reads a pretty-printed RX 7900 XT document with other keys beside the VRAM ones', () => {
    expect(parseRocmSmi(rocm('productname-use-meminfo-vram.rx7900xt.recorded.json'))).toEqual({
      cards: [{ index: 0, totalBytes: 21458059264, usedBytes: 27856896 }],
      processes: [],
    });
  });

  it('"unknown" VRAM (process info not supported) is unknown, not 0', () => {
    const r = parseRocmSmi(jsonModeOf(rocm('showpids-text.gmx-unknown.recorded.txt')));
    expect(r.processes.map((p) => p.pid)).toEqual([55573, 55571, 55574, 55572]);
    for (const p of r.processes) {
      expect(p.processName).toBe('gmx_mpi');
      expect(p.gpuCount).toBe(1);
      expect(p.usedBytes).toBeUndefined();
    }
  });

  it('processes with /dev/kfd open on no GPU are left out', () => {
    const r = parseRocmSmi(jsonModeOf(rocm('showpids-text.pt-main-thread.recorded.txt')));
    expect(r.processes).toEqual([
      { pid: 1168514, processName: 'pt_main_thread', gpuCount: 1, usedBytes: 177386942464 },
    ]);
  });
});

describe('parseRocmSmi on hand-written output (no recording of these cases exists)', () => {
  it('reads past a warning line; names with spaces and commas come back from ", " cells', () => {
    const r = parseRocmSmi(rocm('meminfo-pids.mobile.txt'));
    expect(r.cards).toEqual([{ index: 0, totalBytes: 8573157376, usedBytes: 6912876544 }]);
    expect(r.processes).toEqual([
      { pid: 2728, processName: 'llama-server', gpuCount: 1, usedBytes: 5892939776 },
      { pid: 3001, processName: 'ollama', gpuCount: 1, usedBytes: 302239744 },
      { pid: 3150, processName: 'train, eval.py', gpuCount: 1, usedBytes: 104857600 },
    ]);
  });

  it('reads several idle cards in index order', () => {
    const r = parseRocmSmi(rocm('meminfo-nopids.txt'));
    expect(r.cards).toEqual([
      { index: 0, totalBytes: 17163091968, usedBytes: 28672000 },
      { index: 1, totalBytes: 17163091968, usedBytes: 0 },
    ]);
    expect(r.processes).toEqual([]);
  });

  it('"None" (the library could not read the memory) is unknown, not 0', () => {
    const r = parseRocmSmi(
      '{"card0": {"VRAM Total Memory (B)": "None", "VRAM Total Used Memory (B)": "None"}}\n',
    );
    expect(r.cards).toEqual([{ index: 0, totalBytes: undefined, usedBytes: undefined }]);
  });
});

describe('parseRocmSmi errors', () => {
  it('says what it got when there is no JSON', () => {
    expect(() => parseRocmSmi('ERROR: GPU[0] : Unable to read VRAM')).toThrow(
      'rocm-smi printed no JSON: ERROR: GPU[0] : Unable to read VRAM',
    );
    expect(() => parseRocmSmi('')).toThrow('rocm-smi printed no JSON: (nothing)');
  });

  it('names a broken document', () => {
    expect(() => parseRocmSmi('{"card0": {"VRAM Total Memory (B)": "1"')).toThrow(
      'rocm-smi printed no JSON',
    );
    expect(() => parseRocmSmi('{"card0": }')).toThrow(/^rocm-smi JSON: /);
    expect(() => parseRocmSmi('[1]')).toThrow('rocm-smi printed no JSON');
  });
});
