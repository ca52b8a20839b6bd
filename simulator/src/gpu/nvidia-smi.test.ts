import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryNode } from '@okome/provisioning';
import { cellShape, lineShape, parseFixture } from './fixture-shape';
import type { EngineLoad } from './node-gpus';
import { NodeGpus } from './node-gpus';
import { runNvidiaSmi } from './nvidia-smi';
import type { NodeGpuSnapshot } from './snapshot';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi');
const VERSIONS = { driver: '550.90.07', cuda: '12.4', rocm: '6.3.1' };

/** A node shaped like the one the fixture was printed on: engines by the processes it shows. */
function nodeFor(
  card: string,
  memoryMiB: number,
  engines: Array<'vllm' | 'ollama' | 'tensorflow'>,
): InventoryNode {
  return {
    id: 'N1',
    hostname: 'n1',
    address: '127.0.9.1',
    roles: ['gpu-core'],
    maintenance: false,
    arch: 'x86_64',
    exporterPort: 9464,
    services: engines.map((kind, i) => ({ name: kind, kind, port: 8000 + i })),
    gpus: [
      {
        index: 0,
        vendor: 'nvidia',
        model: card,
        memoryMiB,
        budgets: engines.map((engine) => ({
          engine,
          memoryMiB: Math.floor((memoryMiB * 0.8) / engines.length),
        })),
      },
    ],
  };
}

const CARDS: Record<
  string,
  { memoryMiB: number; engines: Array<'vllm' | 'ollama' | 'tensorflow'> }
> = {
  'NVIDIA A100 80GB PCIe': { memoryMiB: 81920, engines: ['vllm', 'ollama', 'tensorflow'] },
  // The recorded H100 ran three compute processes (gpu_burn and two memhogs).
  'NVIDIA H100 80GB HBM3': { memoryMiB: 81559, engines: ['vllm', 'ollama', 'tensorflow'] },
  'NVIDIA GeForce RTX 4090': { memoryMiB: 24564, engines: ['ollama'] },
  'NVIDIA GeForce RTX 4060 Ti 16GB': { memoryMiB: 16384, engines: ['vllm'] },
};

function snapshot(
  card: string,
  load: EngineLoad = { running: 2, loadedMiB: 4000 },
  faults = {},
): NodeGpuSnapshot {
  const spec = CARDS[card];
  if (!spec) throw new Error(`no test node for ${card}`);
  return new NodeGpus('test', nodeFor(card, spec.memoryMiB, spec.engines), 7, () => load).snapshot(
    faults,
    VERSIONS,
  );
}

describe('fake nvidia-smi against recorded real output', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));

  it('has fixtures to compare with', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s: same header and the same cell formats, line for line', (file) => {
    const fx = parseFixture(file, readFileSync(join(FIXTURES, file), 'utf8'));
    const result = runNvidiaSmi(fx.args, snapshot(fx.card));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('\n')).toBe(true);
    const lines = result.stdout.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(fx.output.length);
    const hasHeader =
      !fx.args.some((a) => a.includes('noheader')) && fx.args.some((a) => a.startsWith('--query'));
    lines.forEach((line, i) => {
      const real = fx.output[i] as string;
      if (hasHeader && i === 0) expect(line).toBe(real);
      else if (fx.args.includes('-L'))
        expect(line.replace(/GPU-[0-9a-f-]{36}/, 'UUID')).toBe(
          real.replace(/GPU-[0-9a-f-]{36}/, 'UUID'),
        );
      else expect(lineShape(line)).toEqual(lineShape(real));
    });
  });
});

describe('fake nvidia-smi behaviour', () => {
  it('answers queries by alias with the canonical header, as nvidia-smi does', () => {
    const r = runNvidiaSmi(
      ['--query-gpu=gpu_name,clocks.sm', '--format=csv'],
      snapshot('NVIDIA GeForce RTX 4090'),
    );
    expect(r.stdout.split('\n')[0]).toBe('name, clocks.current.sm [MHz]');
  });

  it('rejects an unknown field with exit code 2 and names it', () => {
    const r = runNvidiaSmi(
      ['--query-gpu=memory.usedd', '--format=csv'],
      snapshot('NVIDIA GeForce RTX 4090'),
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Field "memory.usedd" is not a valid field to query.');
  });

  it('reports a lost GPU (XID 79) on stderr with a non-zero exit and no row', () => {
    const r = runNvidiaSmi(
      ['--query-gpu=index,memory.used', '--format=csv,noheader'],
      snapshot('NVIDIA GeForce RTX 4090', undefined, { xid: 79 }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /Unable to determine the device handle for GPU00000000:01:00\.0: GPU is lost/,
    );
  });

  it('says the driver is gone when there is no live simulator', () => {
    const r = runNvidiaSmi(['--query-gpu=index', '--format=csv'], undefined);
    expect(r.code).toBe(9);
    expect(r.stdout).toContain("couldn't communicate with the NVIDIA driver");
  });

  it('prints an idle GPU with no compute apps as the header only', () => {
    const snap = snapshot('NVIDIA GeForce RTX 4090', { running: 0, loadedMiB: 0 });
    const r = runNvidiaSmi(['--query-compute-apps=pid,used_memory', '--format=csv'], snap);
    expect(r.stdout).toBe('pid, used_gpu_memory [MiB]\n');
  });

  it('shows gpu-oom as a full GPU with the memory held by a process', () => {
    const snap = snapshot('NVIDIA A100 80GB PCIe', undefined, { oom: {} });
    const [used, free] = runNvidiaSmi(
      ['--query-gpu=memory.used,memory.free', '--format=csv,noheader,nounits'],
      snap,
    )
      .stdout.trim()
      .split(', ')
      .map(Number);
    expect(free).toBeLessThan(16);
    expect(used).toBeGreaterThan(80000);
    const apps = runNvidiaSmi(
      ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'],
      snap,
    )
      .stdout.trim()
      .split('\n');
    const sum = apps.reduce((s, l) => s + Number(l.split(', ')[1]), 0);
    expect(sum).toBe(used);
  });

  it('classifies cell formats the way the fixture comparison relies on', () => {
    expect(cellShape('24564 MiB')).toBe('number.0 MiB');
    expect(cellShape('221.45 W')).toBe('number.2 W');
    expect(cellShape('[N/A]')).toBe('literal:[N/A]');
    expect(cellShape('00000000:17:00.0')).toBe('pci-bus-id');
    expect(cellShape('2026/01/30 09:31:07.412')).toBe('timestamp');
  });
});
