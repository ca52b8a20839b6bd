import { fixture } from '../../test-support/fixtures';
import { normalizeUuid, parseComputeApps, parseQueryGpu, SmiParseError } from './nvidia-smi';

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
