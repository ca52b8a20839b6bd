// okome-sim on the OKOME inventory: tokens stream through the real nginx ingress at the model
// profile's rate, faults act on real processes (refused connections, a stopped redis-server),
// and everything heals when the fault is cleared.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runLoad, streamCompletion } from '@okome/simulator';
import { ingressTarget } from '@okome/simulator';
import { eventually } from '../setup/eventually';
import { acquireSimulator, gone } from './harness';
import type { SimHandle } from './harness';

const exec = promisify(execFile);
jest.setTimeout(120_000);

let sim: SimHandle;
beforeAll(async () => {
  sim = await acquireSimulator('okome', 9841);
}, 120_000);
afterAll(async () => {
  await sim?.stop();
});

const node = (id: string) => {
  const n = sim.inventory.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};
const url = (id: string, service: string) =>
  `http://${node(id).address}:${node(id).services.find((s) => s.name === service)?.port}`;

describe('okome-sim: OKOME through the real ingress', () => {
  it('runs 12 nodes on loopback with 4 real redis-server and 2 real nginx', async () => {
    const state = await sim.state();
    expect(state.nodes).toHaveLength(12);
    const services = state.nodes.flatMap((n) => n.services);
    expect(services.filter((s) => s.kind === 'redis' && s.pid && s.up)).toHaveLength(4);
    expect(
      new Set(services.filter((s) => s.kind === 'nginx' && s.pid && s.up).map((s) => s.pid)).size,
    ).toBe(2);
    expect(node('CORE').address).toBe('127.0.86.30');
  });

  it('streams tokens through nginx → stream node → engine at the model profile rate', async () => {
    const target = ingressTarget(sim.inventory);
    const r = await streamCompletion({
      url: target.urls[0] as string,
      protocol: target.protocol,
      model: target.model as string,
      prompt: `profile rate ${Date.now()}`,
      // A simulated answer is 20–60 tokens long by its prompt, so only a cap of at most 20 gives
      // every prompt exactly the cap (with 24, one fresh prompt in ten ended at 20–23).
      maxTokens: 20,
      headers: { cookie: 'okome_session=e2e-rate' },
    });
    expect(r.ok).toBe(true);
    expect(r.headers['x-okome-cache']).toBe('miss');
    expect(r.completionTokens).toBe(20);
    // The model that answered: CORE's 32B (48 tok/s), or a backup's 1.5B if the routing of the
    // shared stack has drained CORE. Either way tokens come at that model's profile rate.
    const model = sim.inventory.models.find((m) => m.name === r.model);
    expect(['qwen2.5-32b-instruct-awq', 'qwen2.5-1.5b-instruct']).toContain(model?.name);
    const tps = model?.tokensPerSecond as number;
    const meanItl = r.itlMs.reduce((s, v) => s + v, 0) / r.itlMs.length;
    expect(meanItl).toBeGreaterThan((1000 / tps) * 0.7);
    expect(meanItl).toBeLessThan((1000 / tps) * 1.5);
    expect(r.ttftMs ?? 0).toBeGreaterThan((model?.firstTokenMs ?? 0) * 0.8);
  });

  it('CORE serves its own model at 48 tok/s (straight to its vLLM)', async () => {
    const r = await streamCompletion({
      url: url('CORE', 'vllm'),
      protocol: 'openai-chat',
      model: 'qwen2.5-32b-instruct-awq',
      prompt: `core rate ${Date.now()}`,
      maxTokens: 24,
    });
    expect(r.ok).toBe(true);
    const meanItl = r.itlMs.reduce((s, v) => s + v, 0) / r.itlMs.length;
    expect(meanItl).toBeGreaterThan((1000 / 48) * 0.7);
    expect(meanItl).toBeLessThan((1000 / 48) * 1.5);
  });

  it('CORE down: its engines refuse connections, the ingress fails over to NODE-07/08; clear heals', async () => {
    const { id } = await sim.fault({ node: 'CORE', kind: 'down', duration: '60s' });
    try {
      const direct = await streamCompletion({
        url: url('CORE', 'vllm'),
        protocol: 'openai-chat',
        model: 'qwen2.5-32b-instruct-awq',
        prompt: 'x',
        maxTokens: 2,
      });
      expect(direct.error?.kind).toBe('refused');
      const ollama = await streamCompletion({
        url: url('CORE', 'ollama'),
        protocol: 'ollama-chat',
        model: 'qwen2.5:72b',
        prompt: 'x',
        maxTokens: 2,
      });
      expect(ollama.error?.kind).toBe('refused');
      const target = ingressTarget(sim.inventory);
      const viaIngress = await streamCompletion({
        url: target.urls[0] as string,
        protocol: target.protocol,
        model: target.model as string,
        prompt: `failover ${Date.now()}`,
        maxTokens: 4,
        headers: { cookie: 'okome_session=e2e-failover' },
      });
      expect(viaIngress.ok).toBe(true);
      expect(viaIngress.model).toBe('qwen2.5-1.5b-instruct');
    } finally {
      await sim.clear(id);
    }
    const healed = await streamCompletion({
      url: url('CORE', 'vllm'),
      protocol: 'openai-chat',
      model: 'qwen2.5-32b-instruct-awq',
      prompt: 'x',
      maxTokens: 2,
    });
    expect(healed.ok).toBe(true);
  });

  it('redis-down stops the real redis-server of NODE-03 and restarts it on clear', async () => {
    const redisOf = async () =>
      (await sim.state()).nodes
        .find((n) => n.id === 'NODE-03')
        ?.services.find((s) => s.kind === 'redis');
    const before = await redisOf();
    expect(before?.pid).toBeGreaterThan(0);
    const host = node('NODE-03').address;
    const { id } = await sim.fault({ node: 'NODE-03', kind: 'redis-down', duration: '60s' });
    try {
      const out = await exec('redis-cli', ['-h', host, 'ping']).then(
        (r) => `${r.stdout}${r.stderr}`,
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
      expect(out).toContain('Connection refused');
      expect(gone(before?.pid as number)).toBe(true);
    } finally {
      await sim.clear(id);
    }
    const after = await eventually(async () => {
      const r = await redisOf();
      if (!r?.up) throw new Error('redis not up yet');
      return r;
    });
    expect(after.pid).not.toBe(before?.pid);
    expect((await exec('redis-cli', ['-h', host, 'ping'])).stdout.trim()).toBe('PONG');
  });

  it('the fake nvidia-smi of CORE is an executable printing the GPU of the inventory', async () => {
    const tool = node('CORE').tools?.nvidiaSmi as string;
    const { stdout } = await exec(tool, [
      '--query-gpu=name,memory.total',
      '--format=csv,noheader,nounits',
    ]);
    expect(stdout).toBe('NVIDIA A100 80GB PCIe, 81920\n');
  });

  it('okome-sim load streams a bounded run through the ingress without errors', async () => {
    const target = ingressTarget(sim.inventory);
    const report = await runLoad({
      target,
      model: target.model as string,
      rps: 4,
      durationMs: 3000,
      concurrency: 8,
      mix: [
        { kind: 'chat', weight: 0.7 },
        { kind: 'cached', weight: 0.3 },
      ],
      maxTokens: 8,
    });
    expect(report.requests.sent).toBe(12);
    expect(report.requests.failed).toBe(0);
    expect(report.ttftMs.count).toBe(12);
    expect(report.tokens.total).toBe(96);
  });
});
