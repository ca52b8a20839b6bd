import { fixture } from '../../test-support/fixtures';
import { normalizeUuid, parseComputeApps, parseQueryGpu, SmiParseError } from './nvidia-smi';

const MIB = 1024 * 1024;

/** A recorded output without the `# ...` lines that say where it was recorded. */
function recorded(name: string): string {
  return fixture('nvidia-smi', name).replace(/^(#.*\n)+/, '');
}

describe('parseQueryGpu', () => {
  it('reads one A100 with units converted later and [N/A] left out', () => {
    const [gpu, ...rest] = parseQueryGpu(fixture('nvidia-smi', 'query-gpu.core30-a100.txt'));
    expect(rest).toHaveLength(0);
    expect(gpu).toMatchObject({
      index: 0,
      uuid: '5b3e1a7c-8f2d-4c9b-a1e6-3d7f9b2c4e8a',
      name: 'NVIDIA A100 80GB PCIe',
      driverVersion: '550.54.15',
      pciBusId: '00000000:17:00.0',
    });
    expect(gpu!.values.get('memory.used')).toBe(62147);
    expect(gpu!.values.get('pstate')).toBe(0);
    expect(gpu!.values.has('fan.speed')).toBe(false);
  });

  it('reads several GPUs with [N/A] and [Not Supported] cells', () => {
    const gpus = parseQueryGpu(fixture('nvidia-smi', 'query-gpu.multi.txt'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(gpus[0]!.serial).toBe('');
    expect(gpus[1]!.values.has('power.draw')).toBe(false);
    expect(gpus[1]!.values.get('memory.used')).toBe(0);
    expect(gpus[2]!.values.has('utilization.gpu')).toBe(false);
    expect(gpus[2]!.values.get('pstate')).toBe(8);
  });

  it('names the line when a row does not have the asked fields', () => {
    expect(() => parseQueryGpu('0, GPU-1, Tesla T4\n')).toThrow(SmiParseError);
    expect(() => parseQueryGpu('0, GPU-1, Tesla T4\n')).toThrow(
      'line 1: expected 18 fields, got 3',
    );
  });
});

describe('recorded output of a real H100 (--format=csv: header and units kept)', () => {
  it('reads query-gpu under load by the header names, units stripped', () => {
    const [gpu, ...rest] = parseQueryGpu(recorded('query-gpu.h100-load.recorded.txt'));
    expect(rest).toHaveLength(0);
    expect(gpu).toMatchObject({
      index: 0,
      uuid: '00000000-0000-0000-0000-000000000000',
      name: 'NVIDIA H100 80GB HBM3',
      driverVersion: '590.48.01',
      pciBusId: '00000000:00:09.0',
      vbiosVersion: '96.00.A5.00.01',
    });
    expect(Object.fromEntries(gpu!.values)).toEqual({
      'memory.total': 81559,
      'memory.used': 19818,
      'memory.free': 61263,
      'utilization.gpu': 100,
      'utilization.memory': 11,
      'temperature.gpu': 59,
      'power.draw': 631.95,
      'power.limit': 700,
      'clocks.current.sm': 1980,
      pstate: 0,
      // fan.speed is [N/A] on this passively cooled board: left out.
    });
  });

  it('reads query-gpu at idle', () => {
    const [gpu] = parseQueryGpu(recorded('query-gpu.h100-idle.recorded.txt'));
    expect(gpu!.values.get('memory.used')).toBe(0);
    expect(gpu!.values.get('utilization.gpu')).toBe(0);
    expect(gpu!.values.get('power.draw')).toBe(69.85);
  });

  it('reads compute apps by the header names, memory in MiB with its unit', () => {
    expect(parseComputeApps(recorded('compute-apps.h100-load.recorded.txt'))).toEqual([
      {
        pid: 11327,
        processName: '/root/tools/memhog',
        usedBytes: 2566 * MIB,
        uuid: '00000000-0000-0000-0000-000000000000',
      },
      {
        pid: 11328,
        processName: '/root/tools/memhog',
        usedBytes: 1542 * MIB,
        uuid: '00000000-0000-0000-0000-000000000000',
      },
      {
        pid: 11345,
        processName: './gpu_burn',
        usedBytes: 15690 * MIB,
        uuid: '00000000-0000-0000-0000-000000000000',
      },
    ]);
  });

  it('an idle GPU prints only the header: no processes', () => {
    expect(parseComputeApps(recorded('compute-apps.h100-idle.recorded.txt'))).toEqual([]);
  });

  it('with a header, names a missing column it cannot do without', () => {
    expect(() =>
      parseComputeApps('pid, process_name, used_gpu_memory [MiB]\n1, x, 2 MiB\n'),
    ).toThrow('nvidia-smi --query-compute-apps line 1: the header has no gpu_uuid column');
    expect(() => parseQueryGpu('name, memory.used [MiB]\nTesla T4, 3 MiB\n')).toThrow(
      'nvidia-smi --query-gpu line 1: the header has no index, uuid column',
    );
  });

  it('keeps commas in a process name whatever column the header puts it in', () => {
    const apps = parseComputeApps(
      'gpu_uuid, pid, process_name, used_gpu_memory [MiB]\nGPU-AB, 7002, /opt/batch, eval,worker, 98 MiB\n',
    );
    expect(apps).toEqual([
      { pid: 7002, processName: '/opt/batch, eval,worker', usedBytes: 98 * MIB, uuid: 'ab' },
    ]);
  });
});

describe('recorded output of a real 8 x H200 node (a header with only some fields)', () => {
  it('reads every GPU by the header, fields it lacks left out', () => {
    const gpus = parseQueryGpu(recorded('query-gpu.h200x8-busy.recorded.txt'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpus[0]).toMatchObject({ uuid: 'a44622e3-2296-6285-0a86-84d0f6c67900', name: '' });
    expect(Object.fromEntries(gpus[7]!.values)).toEqual({
      'memory.used': 58071,
      'memory.total': 143771,
      'utilization.gpu': 0,
    });
    expect(gpus.map((g) => g.values.get('memory.used'))).toEqual([
      130013, 130053, 105851, 129993, 106091, 105851, 106139, 58071,
    ]);
  });

  it('puts each process on its own GPU; [Not Found] leaves the name empty', () => {
    const apps = parseComputeApps(recorded('compute-apps.h200x8-busy.recorded.txt'));
    expect(apps).toHaveLength(8);
    expect(new Set(apps.map((a) => a.uuid)).size).toBe(8);
    expect(apps[0]).toEqual({
      pid: 1328667,
      processName: '/usr/local/bin/python3.10',
      usedBytes: 130004 * MIB,
      uuid: 'a44622e3-2296-6285-0a86-84d0f6c67900',
    });
    expect(apps[7]).toEqual({
      pid: 1758887,
      processName: '',
      usedBytes: 58060 * MIB,
      uuid: '28780eb0-24d5-1f13-59b8-ae5c23617a72',
    });
  });
});

describe('recorded output of real GeForce boards', () => {
  it('reads an RTX 4080 SUPER under load: fan speed, P2, serial [N/A]', () => {
    const [gpu] = parseQueryGpu(recorded('query-gpu.rtx4080s-load.recorded.txt'));
    expect(gpu).toMatchObject({ name: 'NVIDIA GeForce RTX 4080 SUPER', serial: '' });
    expect(Object.fromEntries(gpu!.values)).toEqual({
      'memory.total': 16376,
      'memory.used': 1474,
      'memory.free': 14470,
      'utilization.gpu': 7,
      'utilization.memory': 2,
      'temperature.gpu': 46,
      'power.draw': 84.24,
      'power.limit': 320,
      'clocks.current.sm': 2805,
      pstate: 2,
      'fan.speed': 0,
    });
    expect(
      parseComputeApps(recorded('compute-apps.rtx4080s-load.recorded.txt')).map((a) => [
        a.pid,
        a.processName,
        a.usedBytes,
      ]),
    ).toEqual([
      [2165, '/usr/bin/kwin_wayland', 25 * MIB],
      [5022, 'ffmpeg', 503 * MIB],
      [5021, 'ffmpeg', 360 * MIB],
    ]);
  });

  it('keeps Windows paths with spaces and parentheses; [N/A] memory (WDDM) is unknown', () => {
    const apps = parseComputeApps(recorded('compute-apps.rtx2080s-windows-load.recorded.txt'));
    expect(apps).toHaveLength(21);
    expect(apps.every((a) => a.usedBytes === undefined)).toBe(true);
    expect(apps.find((a) => a.pid === 17648)?.processName).toBe(
      'C:\\Program Files\\NVIDIA Corporation\\NVIDIA App\\CEF\\NVIDIA Overlay.exe',
    );
    expect(apps.find((a) => a.pid === 17840)?.processName).toBe(
      'C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application\\149.0.4022.80\\msedgewebview2.exe',
    );
  });
});

describe('parseComputeApps', () => {
  it('keeps commas in process names, and unknown memory as undefined', () => {
    const apps = parseComputeApps(fixture('nvidia-smi', 'compute-apps.core30.txt'));
    expect(apps).toHaveLength(7);
    expect(apps[0]).toEqual({
      pid: 3858903,
      processName: 'VLLM::EngineCore',
      usedBytes: 38912 * 1024 * 1024,
      uuid: '5b3e1a7c-8f2d-4c9b-a1e6-3d7f9b2c4e8a',
    });
    expect(apps[5]).toMatchObject({ pid: 6107, processName: '', usedBytes: undefined });
    expect(apps[6]).toMatchObject({
      pid: 7002,
      processName: '/opt/lab/bin/batch, eval,worker',
      usedBytes: 98 * 1024 * 1024,
    });
  });

  it('returns nothing for an idle GPU', () => {
    expect(parseComputeApps(fixture('nvidia-smi', 'compute-apps.idle.txt'))).toEqual([]);
    expect(parseComputeApps('No running processes found\n')).toEqual([]);
  });

  it('normalizes uuids as nvidia_gpu_exporter does', () => {
    expect(normalizeUuid('GPU-AbC-1')).toBe('abc-1');
  });
});
