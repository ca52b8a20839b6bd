import { fixture } from '../../test-support/fixtures';
import { parseRocmSmi } from './rocm-smi';

describe('parseRocmSmi', () => {
  it('reads cards and KFD processes past a leading warning, names with commas kept', () => {
    const r = parseRocmSmi(fixture('rocm-smi', 'meminfo-pids.mobile.txt'));
    expect(r.cards).toEqual([{ index: 0, totalBytes: 8573157376, usedBytes: 6912876544 }]);
    expect(r.processes).toEqual([
      { pid: 2728, processName: 'llama-server', gpuCount: 1, usedBytes: 5892939776 },
      { pid: 3001, processName: 'ollama', gpuCount: 1, usedBytes: 302239744 },
      { pid: 3150, processName: 'python3 train, eval.py', gpuCount: 1, usedBytes: 104857600 },
    ]);
  });

  it('reads several idle cards', () => {
    const r = parseRocmSmi(fixture('rocm-smi', 'meminfo-nopids.txt'));
    expect(r.cards.map((c) => c.index)).toEqual([0, 1]);
    expect(r.processes).toEqual([]);
  });

  it('says what it got when there is no JSON', () => {
    expect(() => parseRocmSmi('ERROR: GPU[0] : Unable to read VRAM')).toThrow(
      'rocm-smi printed no JSON: ERROR: GPU[0] : Unable to read VRAM',
    );
  });
});
