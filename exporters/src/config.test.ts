import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig, loadConfig } from './config';

// This collectors; others (redis, token_latency, probe) have their own tests.
const MINE = ['gpu', 'ollama'];
const enabled = (c: ReturnType<typeof loadConfig>) =>
  c.selections
    .filter((s) => s.enabled && MINE.includes(s.definition.name))
    .map((s) => s.definition.name);
const optionsOf = (c: ReturnType<typeof loadConfig>, name: string) =>
  c.selections.find((s) => s.definition.name === name)!.options;

describe('loadConfig', () => {
  it('without an inventory: :9464, collectors off unless asked', () => {
    const c = loadConfig([], {});
    expect(c.listen).toEqual({ port: 9464 });
    expect(enabled(c)).toEqual([]);
    const g = loadConfig(['--collector.gpu', '--gpu.nvidia-smi-path=/x/nvidia-smi'], {});
    expect(enabled(g)).toEqual(['gpu']);
    expect(optionsOf(g, 'gpu').string('gpu.nvidia-smi-path')).toBe('/x/nvidia-smi');
  });

  it('with the OKOME inventory: CORE gets gpu + ollama on its own address and budgets', () => {
    const c = loadConfig(['--inventory', 'okome', '--node', 'CORE'], {});
    expect(c.listen).toEqual({ host: '192.168.86.30', port: 9464 });
    expect(enabled(c)).toEqual(['gpu', 'ollama']);
    expect(optionsOf(c, 'ollama').string('ollama.url')).toBe('http://192.168.86.30:11434');
    expect(optionsOf(c, 'ollama').string('ollama.tap.listen')).toBe('192.168.86.30:31434');
    expect(optionsOf(c, 'gpu').list('gpu.budget')).toEqual([
      '0:vllm=40960',
      '0:ollama=30720',
      '0:tensorflow=8192',
    ]);
    expect(optionsOf(c, 'gpu').list('gpu.engine-match')).toContain(
      'tensorflow=tensorflow_model_server',
    );
  });

  it('Kage Bunshin: both Ollama nodes get gpu (AMD and NVIDIA) and an Ollama tap of their own', () => {
    for (const [node, vendor] of [
      ['node-gpu-mobile', 'amd'],
      ['node-gpu-primary', 'nvidia'],
    ] as const) {
      const c = loadConfig(['--inventory', 'kage-bunshin', '--node', node], {});
      expect(enabled(c)).toEqual(['gpu', 'ollama']);
      expect(optionsOf(c, 'gpu').list('gpu.vendor')).toEqual([vendor]);
      const url = new URL(optionsOf(c, 'ollama').string('ollama.url')!);
      expect(optionsOf(c, 'ollama').string('ollama.tap.listen')).toBe(
        `${url.hostname}:${Number(url.port) + 20000}`,
      );
    }
  });

  it('a cache node has neither; flags and env still win over the inventory', () => {
    expect(enabled(loadConfig(['--inventory', 'okome', '--node', 'NODE-03'], {}))).toEqual([]);
    const c = loadConfig(
      [
        '--inventory',
        'okome',
        '--node',
        'CORE',
        '--no-collector.gpu',
        '--web.listen-address=127.0.86.30:9464',
      ],
      {
        OKOME_EXPORTER_OLLAMA_URL: 'http://127.0.86.30:11434',
        OKOME_EXPORTER_OLLAMA_TAP_LISTEN: '127.0.86.30:11500',
      },
    );
    expect(enabled(c)).toEqual(['ollama']);
    expect(c.listen).toEqual({ host: '127.0.86.30', port: 9464 });
    expect(optionsOf(c, 'ollama').string('ollama.url')).toBe('http://127.0.86.30:11434');
    expect(optionsOf(c, 'ollama').string('ollama.tap.listen')).toBe('127.0.86.30:11500');
  });

  it('uses the tool paths of a simulated inventory and reads names only there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okome-inv-'));
    const file = join(dir, 'sim.yaml');
    writeFileSync(
      file,
      `cluster: sim
simulated: true
nodes:
  - id: gpu1
    hostname: gpu1
    address: 127.0.86.30
    roles: [gpu-worker]
    tools: { nvidiaSmi: /tmp/sim/nvidia-smi }
    services: [{ name: ollama, kind: ollama, port: 11434 }]
    gpus: [{ index: 0, vendor: nvidia, model: A100, memoryMiB: 81920, budgets: [{ engine: ollama, memoryMiB: 1000 }] }]
  - id: obs
    hostname: obs
    address: 127.0.86.49
    roles: [observability]
`,
    );
    const c = loadConfig(['--inventory', file, '--node', 'gpu1'], {});
    expect(optionsOf(c, 'gpu').string('gpu.nvidia-smi-path')).toBe('/tmp/sim/nvidia-smi');
    expect(optionsOf(c, 'gpu').string('gpu.procfs')).toBeUndefined();
    expect(describeConfig(c)).toMatchObject({ node: 'gpu1', listen: '127.0.86.30:9464' });
  });

  it('explains bad input', () => {
    expect(() => loadConfig(['--inventory', 'okome'], {})).toThrow('--inventory needs --node ID');
    expect(() => loadConfig(['--inventory', 'okome', '--node', 'CROE'], {})).toThrow(
      /--node: no node "CROE" in .*okome.yaml \(nodes: CORE, OKOME, NODE-01/,
    );
    expect(() => loadConfig(['--inventory', '/nonexistent.yaml', '--node', 'x'], {})).toThrow(
      'file not found',
    );
    expect(() => loadConfig(['--web.listen-address', '9464'], {})).toThrow(
      '--web.listen-address: "9464" is not host:port',
    );
    expect(() => loadConfig(['--log.level', 'loud'], {})).toThrow(
      '--log.level: "loud" is not one of',
    );
  });
});
