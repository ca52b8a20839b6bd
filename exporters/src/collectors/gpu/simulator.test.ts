// The gpu and ollama collectors against the simulator (okome-sim, built): its fake nvidia-smi
// and Ollama API for a one-GPU node like OKOME's CORE, with faults injected through its
// control API. Loopback only: the node's seed address 192.168.77.30 becomes 127.0.77.30.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_COLLECTORS } from '../index';
import { loadConfig } from '../../config';
import { Exporter } from '../../core/exporter';
import { silentLogger } from '../../core/logger';
import { sample } from '../../test-support/fixtures';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SIM_CLI = join(ROOT, 'simulator', 'dist', 'cli.js');
const MIB = 1024 * 1024;

const INVENTORY = `cluster: exporters-sim-test
nodes:
  - id: GPU1
    hostname: gpu1
    address: 192.168.77.30
    roles: [gpu-core]
    services:
      - { name: vllm, kind: vllm, port: 8000, models: [qwen2.5-32b-instruct-awq], processMatch: [vllm.entrypoints] }
      - { name: ollama, kind: ollama, port: 11434, models: ['qwen2.5:72b', 'qwen2.5:32b'], processMatch: [ollama] }
      - { name: tensorflow, kind: tensorflow, port: 8501, processMatch: [tensorflow_model_server] }
    gpus:
      - index: 0
        vendor: nvidia
        model: NVIDIA A100 80GB PCIe
        memoryMiB: 81920
        budgets:
          - { engine: vllm, memoryMiB: 40960 }
          - { engine: ollama, memoryMiB: 30720 }
          - { engine: tensorflow, memoryMiB: 8192 }
  - id: OBS
    hostname: obs
    address: 192.168.77.49
    roles: [observability]
models:
  - { name: 'qwen2.5:72b', engine: ollama, sizeMiB: 47400, tokensPerSecond: 2.85, firstTokenMs: 300 }
  - { name: 'qwen2.5:32b', engine: ollama, sizeMiB: 19500, tokensPerSecond: 48, firstTokenMs: 100 }
  - { name: qwen2.5-32b-instruct-awq, engine: vllm, sizeMiB: 19500, tokensPerSecond: 48, firstTokenMs: 180, concurrency: 8 }
`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

jest.setTimeout(30_000);

describe('gpu and ollama collectors against okome-sim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'okome-exp-sim-'));
  const stateDir = join(dir, 'state');
  let control = '';
  let exporter: Exporter;
  let tapUrl = '';

  const sim = (args: string[]) =>
    execFileSync(process.execPath, [SIM_CLI, ...args, '--state-dir', stateDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  const scrape = async () => {
    const res = await fetch(`${exporter.url()}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const fault = async (body: object) => {
    const res = await fetch(`${control}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return ((await res.json()) as { id: string }).id;
  };
  const clearFaults = async () => {
    await fetch(`${control}/faults`, { method: 'DELETE' });
  };
  async function eventually(check: (text: string) => boolean, what: string) {
    let text = '';
    for (let i = 0; i < 40; i++) {
      text = await scrape();
      if (check(text)) return text;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`never saw ${what}; last scrape:\n${text.slice(0, 3000)}`);
  }

  beforeAll(async () => {
    if (!existsSync(SIM_CLI))
      throw new Error(`${SIM_CLI} is missing: build the simulator first (npx tsc -b simulator)`);
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, INVENTORY);
    const port = await freePort();
    control = `http://127.0.0.1:${port}`;
    sim(['up', '--inventory', inv, '--control-listen', `127.0.0.1:${port}`, '--detach']);
    const config = loadConfig(
      [
        '--inventory',
        join(stateDir, 'inventory.yaml'),
        '--node',
        'GPU1',
        '--web.listen-address',
        '127.0.0.1:0',
        '--ollama.tap.listen',
        '127.0.0.1:0',
        '--collector.disable-defaults',
        '--collector.gpu',
        '--collector.ollama',
      ],
      {},
    );
    const collectors = config.selections
      .filter((s) => s.enabled)
      .map((s) => s.definition.create(s.options, { logger: silentLogger }));
    expect(collectors.map((c) => c.name)).toEqual(['gpu', 'ollama']);
    exporter = new Exporter({
      collectors,
      listen: config.listen,
      logger: silentLogger,
      processMetrics: false,
    });
    await exporter.start();
    const ollama = collectors[1] as unknown as { tapUrl: string };
    tapUrl = ollama.tapUrl;
  }, 90_000);

  afterAll(async () => {
    await exporter?.stop();
    if (existsSync(SIM_CLI))
      spawnSync(process.execPath, [SIM_CLI, 'down', '--state-dir', stateDir], { timeout: 60_000 });
  }, 90_000);

  afterEach(clearFaults);

  it('attributes the simulated GPU processes to vLLM and TensorFlow, with the Ollama budget', async () => {
    const text = await eventually(
      (t) => sample(t, 'gpu_arbiter_up') === 1 && t.includes('engine="vllm"'),
      'the GPU processes',
    );
    expect(BUILTIN_COLLECTORS.map((d) => d.name)).toContain('gpu');
    const uuid = /nvidia_smi_gpu_info\{uuid="([0-9a-f-]+)"/.exec(text)?.[1];
    expect(uuid).toMatch(/^[0-9a-f]{8}-/);
    expect(sample(text, `nvidia_smi_memory_total_bytes{uuid="${uuid}"}`)).toBe(81920 * MIB);
    expect(
      sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${uuid}",engine="vllm"}`),
    ).toBeGreaterThan(0);
    expect(
      sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${uuid}",engine="tensorflow"}`),
    ).toBeGreaterThan(0);
    expect(text).toMatch(
      /gpu_arbiter_process_info\{[^}]*engine="tensorflow",process_name="[^"]*tensorflow_model_server"\} 1/,
    );
    expect(
      sample(text, `gpu_arbiter_engine_memory_budget_bytes{uuid="${uuid}",engine="ollama"}`),
    ).toBe(30720 * MIB);
    expect(
      sample(text, `gpu_arbiter_engine_memory_share_ratio{uuid="${uuid}",engine="vllm"}`),
    ).toBeLessThanOrEqual(1);
    expect(sample(text, 'ollama_up')).toBe(1);
  });

  it('gpu-oom pushes an engine over its budget (share ratio > 1)', async () => {
    await fault({ node: 'GPU1', kind: 'gpu-oom', duration: '30s', params: { engine: 'ollama' } });
    const text = await eventually(
      (t) =>
        /gpu_arbiter_engine_memory_share_ratio\{[^}]*engine="ollama"\} (\d+\.?\d*)/.exec(t)?.[1] !==
          undefined &&
        Number(/gpu_arbiter_engine_memory_share_ratio\{[^}]*engine="ollama"\} (\S+)/.exec(t)![1]) >
          1,
      'ollama over budget',
    );
    expect(sample(text, 'gpu_arbiter_up')).toBe(1);
  });

  it('gpu-xid (GPU fallen off the bus) turns gpu_arbiter_up to 0 with the scrape still 200', async () => {
    await fault({ node: 'GPU1', kind: 'gpu-xid', duration: '30s', params: { xid: 79 } });
    const text = await eventually((t) => sample(t, 'gpu_arbiter_up') === 0, 'gpu_arbiter_up 0');
    expect(text).toMatch(/okome_exporter_collector_last_error\{collector="gpu",err="[^"]+"\} 1/);
  });

  it('Ollama down turns ollama_up to 0; the tap answers 502 and counts the error', async () => {
    await fault({ node: 'GPU1', kind: 'down', duration: '30s' });
    const text = await eventually((t) => sample(t, 'ollama_up') === 0, 'ollama_up 0');
    expect(text).toMatch(
      /okome_exporter_collector_last_error\{collector="ollama",err="GET \/api\/version: [^"]+"\} 1/,
    );
    const res = await fetch(`${tapUrl}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5:32b', prompt: 'hi' }),
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await res.text();
    const after = await scrape();
    expect(after).toMatch(
      /ollama_request_errors_total\{model="qwen2.5:32b",kind="(upstream|http)"\} 1/,
    );
  });

  it("reads the simulator's token rate back from the tap: 48 tok/s on 32B, 2.85 on 72B", async () => {
    // What the clients saw in the final objects, summed per model.
    const seen = new Map<string, { tokens: number; seconds: number }>();
    for (const [model, n] of [
      ['qwen2.5:32b', 48],
      ['qwen2.5:72b', 8],
    ] as const) {
      const res = await fetch(`${tapUrl}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model, prompt: 'measure me', options: { num_predict: n } }),
      });
      expect(res.status).toBe(200);
      const lines = (await res.text()).trim().split('\n');
      const final = JSON.parse(lines[lines.length - 1]!) as {
        done: boolean;
        eval_count: number;
        eval_duration: number;
      };
      expect(final.done).toBe(true);
      const s = seen.get(model) ?? { tokens: 0, seconds: 0 };
      seen.set(model, {
        tokens: s.tokens + final.eval_count,
        seconds: s.seconds + final.eval_duration / 1e9,
      });
    }
    const text = await scrape();
    const rate = (model: string) =>
      sample(text, `ollama_eval_total{model="${model}"}`)! /
      sample(text, `ollama_eval_duration_seconds_sum{model="${model}"}`)!;
    for (const [model, s] of seen) expect(rate(model)).toBeCloseTo(s.tokens / s.seconds, 6);
    // The simulated profiles: n tokens over n decode steps, as Ollama reports them, so the
    // rate is the profile's up to the per-token jitter (±6 %, averaged over the answer) and
    // late timers. Timing n-1 gaps would read 8/7 × 2.85 = 3.26 on the 72B.
    expect(rate('qwen2.5:32b')).toBeGreaterThan(48 * 0.95);
    expect(rate('qwen2.5:32b')).toBeLessThan(48 * 1.015);
    expect(rate('qwen2.5:72b')).toBeGreaterThan(2.85 * 0.95);
    expect(rate('qwen2.5:72b')).toBeLessThan(2.85 * 1.05);
  });
});
