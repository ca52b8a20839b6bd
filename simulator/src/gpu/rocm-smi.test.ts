import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryNode } from '@okome/provisioning';
import { parseFixture } from './fixture-shape';
import { NodeGpus } from './node-gpus';
import { pythonJson, runRocmSmi } from './rocm-smi';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'rocm-smi');

const node: InventoryNode = {
  id: 'mobile',
  hostname: 'mobile',
  address: '127.0.9.2',
  roles: ['gpu-worker'],
  maintenance: false,
  arch: 'x86_64',
  exporterPort: 9464,
  services: [{ name: 'ollama', kind: 'ollama', port: 11434, processMatch: ['ollama'] }],
  gpus: [
    {
      index: 0,
      vendor: 'amd',
      model: 'AMD Radeon 890M (unified memory)',
      memoryMiB: 65536,
      budgets: [{ engine: 'ollama', memoryMiB: 57344 }],
    },
  ],
};

const snap = () =>
  new NodeGpus('test', node, 3, () => ({ running: 1, loadedMiB: 47400 })).snapshot(
    {},
    { driver: '', cuda: '', rocm: '6.3.1' },
  );

/** Keys exactly, values by shape: digit strings stay digit strings, text stays text. */
function shape(value: unknown): unknown {
  if (typeof value === 'string')
    return value.split(', ').map((p) => (/^\d+$/.test(p) ? 'digits' : p));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/^PID\d+$/, 'PID<n>'), shape(v)]),
    );
  return value;
}

describe('fake rocm-smi against recorded real output', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));
  it.each(files)('%s: same JSON layout, keys and value formats', (file) => {
    const fx = parseFixture(file, readFileSync(join(FIXTURES, file), 'utf8'));
    const r = runRocmSmi(fx.args, snap());
    expect(r.code).toBe(0);
    const real = fx.output.join('\n');
    expect(shape(JSON.parse(r.stdout))).toEqual(shape(JSON.parse(real)));
    // Python's json.dumps separators, as rocm_smi.py prints them.
    expect(r.stdout.trim()).toBe(pythonJson(JSON.parse(r.stdout)));
    expect(real).toBe(pythonJson(JSON.parse(real)));
  });

  it('reports used VRAM in bytes that follow the loaded model', () => {
    const out = JSON.parse(
      runRocmSmi(['--showmeminfo', 'vram', '--json'], snap()).stdout,
    ) as Record<string, Record<string, string>>;
    const used = Number(out.card0?.['VRAM Total Used Memory (B)']);
    expect(used).toBeGreaterThan(47400 * 1024 * 1024);
    expect(used).toBeLessThanOrEqual(65536 * 1024 * 1024);
  });

  it('rejects an unknown option like argparse, with exit code 2', () => {
    const r = runRocmSmi(['--showbogus'], snap());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unrecognized arguments: --showbogus');
  });
});
