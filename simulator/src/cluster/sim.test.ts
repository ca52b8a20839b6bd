// The simulator in-process on a small inventory of its own (127.0.214.x), with real
// redis-server and nginx: start, route through the ingress, and every fault kind.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, parseInventory } from '@okome/provisioning';
import { streamCompletion } from '../client/stream-client';
import { runNvidiaSmi } from '../gpu/nvidia-smi';
import { RespClient } from '../procs/resp';
import { createControlServer } from './control';
import { Simulator } from './sim';

const INVENTORY = `
cluster: simtest
nodes:
  - id: gpu1
    hostname: gpu1
    address: 192.168.214.10
    roles: [gpu-core]
    services: [{ name: vllm, kind: vllm, port: 8000, models: [big] }]
    gpus: [{ index: 0, vendor: nvidia, model: NVIDIA A100 80GB PCIe, memoryMiB: 81920, budgets: [{ engine: vllm, memoryMiB: 40960 }] }]
  - id: gpu2
    hostname: gpu2
    address: 192.168.214.11
    roles: [gpu-speculative]
    services: [{ name: vllm, kind: vllm, port: 8000, models: [small] }]
    gpus: [{ index: 0, vendor: nvidia, model: NVIDIA GeForce RTX 4060 Ti 16GB, memoryMiB: 16384 }]
  - id: edge1
    hostname: edge1
    address: 192.168.214.20
    roles: [ingress]
    services: [{ name: nginx, kind: nginx, port: 8080 }]
  - id: cache1
    hostname: cache1
    address: 192.168.214.30
    roles: [cache, stream]
    services: [{ name: redis, kind: redis, port: 6379 }, { name: stream, kind: stream, port: 8090 }]
  - id: obs
    hostname: obs
    address: 192.168.214.40
    roles: [observability]
    services: [{ name: prometheus, kind: prometheus, port: 9090 }]
models:
  - { name: big, engine: vllm, sizeMiB: 19500, tokensPerSecond: 100, firstTokenMs: 60, concurrency: 8 }
  - { name: small, engine: vllm, sizeMiB: 3100, tokensPerSecond: 200, firstTokenMs: 20, concurrency: 8 }
routing:
  pools:
    - { name: stream, hop: ingress, frontends: [edge1], listenPort: 8080, balance: hash, stickyKey: $cookie_okome_session, backends: [{ node: cache1, service: stream }] }
    - name: engine
      hop: engine
      frontends: [edge1]
      listenPort: 8000
      balance: least_conn
      backends: [{ node: gpu1, service: vllm, weight: 10 }, { node: gpu2, service: vllm, backup: true }]
      failoverOrder: [gpu1, gpu2]
`;

const INGRESS = 'http://127.0.214.20:8080';
const GPU1 = 'http://127.0.214.10:8000';
const log: string[] = [];

describe('Simulator (in-process, real redis-server and nginx)', () => {
  let dir: string;
  let invPath: string;
  let sim: Simulator;
  let control: http.Server;
  let controlUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okome-sim-test-'));
    invPath = join(dir, 'simtest.yaml');
    writeFileSync(invPath, INVENTORY);
    sim = Simulator.prepare({
      inventoryPath: invPath,
      stateDir: join(dir, 'state'),
      seed: 1,
      controlUrl: 'http://x',
      log: (l) => log.push(l),
      // As okome-stack --sim runs it: alert windows compressed 60×, token timing untouched.
      timeScale: 60,
    });
    await sim.start();
    control = createControlServer(() => sim);
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    control?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${controlUrl}/faults`, { method: 'POST', body: JSON.stringify(body) });
  const clear = () => fetch(`${controlUrl}/faults`, { method: 'DELETE' });
  const ask = (
    url: string,
    prompt: string,
    extra: Partial<Parameters<typeof streamCompletion>[0]> = {},
  ) =>
    streamCompletion({
      url,
      protocol: 'openai-chat',
      model: 'big',
      prompt,
      maxTokens: 5,
      headers: { cookie: 'okome_session=t' },
      idleTimeoutMs: 5000,
      ...extra,
    });

  it('is ready, writes a derived inventory other components can load, leaves observability nodes idle', async () => {
    expect(sim.allUp()).toBe(true);
    const text = readFileSync(join(dir, 'state', 'inventory.yaml'), 'utf8');
    const parsed = parseInventory(text, 'inventory.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.inventory?.simulated).toBe(true);
    expect(parsed.inventory?.nodes.find((n) => n.id === 'gpu1')?.address).toBe('127.0.214.10');
    expect(sim.state().nodes.find((n) => n.id === 'obs')?.state).toBe('idle');
    expect((await fetch(`${controlUrl}/-/ready`)).status).toBe(200);
    const tool = parsed.inventory?.nodes.find((n) => n.id === 'gpu1')?.tools?.nvidiaSmi as string;
    expect(existsSync(tool)).toBe(true);
  });

  it('time scale 60 is reported in /state and leaves token timing at the model profile', async () => {
    const state = (await (await fetch(`${controlUrl}/state`)).json()) as { timeScale: number };
    expect(state.timeScale).toBe(60);
    // "big" decodes at 100 tok/s: 10 ms between tokens, not 10/60 ms.
    const r = await ask(GPU1, `time scale ${Date.now()}`, { maxTokens: 20 });
    expect(r.ok).toBe(true);
    const meanItl = r.itlMs.reduce((sum, v) => sum + v, 0) / r.itlMs.length;
    expect(meanItl).toBeGreaterThan(10 * 0.7);
    expect(r.ttftMs ?? 0).toBeGreaterThan(60 * 0.8);
  });

  it('streams through the real nginx ingress and the stream service; a repeat comes from Redis', async () => {
    const first = await ask(INGRESS, 'cache me');
    expect(first.ok).toBe(true);
    expect(first.headers['x-okome-cache']).toBe('miss');
    expect(first.completionTokens).toBe(5);
    const again = await ask(INGRESS, 'cache me');
    expect(again.headers['x-okome-cache']).toBe('hit');
    expect(again.text).toBe(first.text);
  });

  it('down: connections to the node are refused; the ingress fails over to the backup; clear heals', async () => {
    expect((await post({ node: 'gpu1', kind: 'down', duration: '30s' })).status).toBe(201);
    const direct = await ask(GPU1, 'x');
    expect(direct.error?.kind).toBe('refused');
    const viaIngress = await ask(INGRESS, 'during down');
    expect(viaIngress.ok).toBe(true);
    expect(viaIngress.model).toBe('small');
    await clear();
    expect((await ask(GPU1, 'x')).ok).toBe(true);
  });

  it('partition: the node accepts connections but answers nothing until it heals', async () => {
    await post({ node: 'gpu1', kind: 'partition', duration: '30s' });
    const hung = await ask(GPU1, 'x', { idleTimeoutMs: 400 });
    expect(hung.error?.kind).toBe('timeout');
    const pending = ask(GPU1, 'y');
    await new Promise((r) => setTimeout(r, 200));
    await clear();
    expect((await pending).ok).toBe(true);
  });

  it('redis-down: stops the real redis-server (refused), the stream service degrades to the engine, clear restarts it', async () => {
    const before = sim
      .state()
      .nodes.find((n) => n.id === 'cache1')
      ?.services.find((s) => s.kind === 'redis');
    expect(before?.up).toBe(true);
    await post({ node: 'cache1', kind: 'redis-down' });
    const redis = new RespClient('127.0.214.30', 6379, 500);
    await expect(redis.command('PING')).rejects.toThrow(/ECONNREFUSED|closed/);
    expect(
      sim
        .state()
        .nodes.find((n) => n.id === 'cache1')
        ?.services.find((s) => s.kind === 'redis')?.state,
    ).toBe('stopped');
    const r = await ask(INGRESS, 'cache me');
    expect(r.ok).toBe(true);
    expect(r.headers['x-okome-cache']).toBe('error');
    await clear();
    expect(await redis.command('PING')).toBe('PONG');
    const after = sim
      .state()
      .nodes.find((n) => n.id === 'cache1')
      ?.services.find((s) => s.kind === 'redis');
    expect(after?.pid).not.toBe(before?.pid);
    redis.close();
  });

  it("gpu-oom: engine requests fail with vLLM's error, nvidia-smi shows a full GPU, and the fault expires by itself", async () => {
    await post({ node: 'gpu1', kind: 'gpu-oom', duration: '600ms' });
    const r = await ask(GPU1, 'x');
    expect(r.error?.kind).toBe('http_5xx');
    expect(r.error?.message).toContain('CUDA out of memory');
    const snap = sim.nodes.get('gpu1')?.gpuSnapshot();
    const [used, free] = runNvidiaSmi(
      ['--query-gpu=memory.used,memory.free', '--format=csv,noheader,nounits'],
      snap,
    )
      .stdout.trim()
      .split(', ')
      .map(Number);
    expect(free).toBeLessThan(16);
    expect(used).toBeGreaterThan(80000);
    await new Promise((res) => setTimeout(res, 900));
    expect((await (await fetch(`${controlUrl}/faults`)).json()) as unknown).toEqual({ faults: [] });
    expect((await ask(GPU1, 'x')).ok).toBe(true);
  });

  it('gpu-xid: the GPU is lost to nvidia-smi and the engine fails', async () => {
    await post({ node: 'gpu1', kind: 'gpu-xid', params: { xid: 79 } });
    const snap = sim.nodes.get('gpu1')?.gpuSnapshot();
    const smi = runNvidiaSmi(['--query-gpu=index', '--format=csv'], snap);
    expect(smi.code).not.toBe(0);
    expect(smi.stderr).toContain('GPU is lost');
    expect((await ask(GPU1, 'x')).ok).toBe(false);
    await clear();
  });

  it('slow and latency add delay where they say', async () => {
    const base = await ask(GPU1, 'timing');
    await post({ node: 'gpu1', kind: 'latency', params: { ms: 500 } });
    const late = await ask(GPU1, 'timing');
    // Lower bounds hold however busy the machine is: the delays are added, never overlapped.
    expect(late.ttftMs ?? 0).toBeGreaterThanOrEqual(500 + 60 * 0.9);
    expect(base.ttftMs ?? 0).toBeLessThan(late.ttftMs ?? 0);
    await clear();
    await post({ node: 'gpu1', kind: 'slow', params: { ms: 300 } });
    const slow = await ask(GPU1, 'timing');
    expect(slow.ttftMs ?? 0).toBeGreaterThanOrEqual(300 + 60 * 0.9);
    await clear();
  });

  it('slow on an ingress node holds its real nginx back (stopped part of the time)', async () => {
    const base = await ask(INGRESS, `slow nginx ${Date.now()}`);
    await post({ node: 'edge1', kind: 'slow', params: { ms: 400 } });
    const slow = await ask(INGRESS, `slow nginx ${Date.now()}`);
    await clear();
    expect(slow.ok).toBe(true);
    // nginx is stopped for the first 400 ms of the cycle, when this request arrives.
    expect(slow.e2eMs).toBeGreaterThan(250);
    void base;
    expect((await ask(INGRESS, `after slow ${Date.now()}`)).ok).toBe(true);
  });

  it('control API: 400 naming the field, 404 for unknown ids, faults listed with expiry', async () => {
    const bad = await post({ node: 'gpu1', kind: 'explode' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'kind' });
    const badDuration = await post({ node: 'gpu1', kind: 'down', duration: 'soon' });
    expect(((await badDuration.json()) as { field: string }).field).toBe('duration');
    expect((await fetch(`${controlUrl}/faults/f999`, { method: 'DELETE' })).status).toBe(404);
    const created = (await (await post({ node: 'obs', kind: 'down', duration: '5s' })).json()) as {
      id: string;
      note?: string;
      expiresAt: string;
    };
    expect(created.note).toMatch(/runs no simulated service/);
    expect((await fetch(`${controlUrl}/faults/${created.id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
  });

  it('a second simulator on the same addresses fails with the address in use and leaves the first running', async () => {
    const other = Simulator.prepare({
      inventoryPath: invPath,
      stateDir: join(dir, 'state2'),
      seed: 1,
      controlUrl: 'http://x',
      log: () => undefined,
    });
    await expect(other.start()).rejects.toThrow(/already in use|exited/);
    expect(sim.allUp()).toBe(true);
    expect((await ask(INGRESS, 'still here')).ok).toBe(true);
  });
});

describe('Simulator.prepare refuses to start what it cannot run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'okome-sim-prep-'));
    writeFileSync(join(dir, 'ok.yaml'), INVENTORY);
    writeFileSync(
      join(dir, 'bad.yaml'),
      INVENTORY.replace('roles: [cache, stream]', 'roles: [cahce, stream]'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names a missing redis-server binary', () => {
    expect(() =>
      Simulator.prepare({
        inventoryPath: join(dir, 'ok.yaml'),
        stateDir: join(dir, 's'),
        seed: 1,
        controlUrl: 'x',
        log: () => undefined,
        redisBinary: '/nonexistent/redis-server',
      }),
    ).toThrow(/missing redis-server/);
  });

  it('reports a bad inventory with file, line and path', () => {
    try {
      Simulator.prepare({
        inventoryPath: join(dir, 'bad.yaml'),
        stateDir: join(dir, 's'),
        seed: 1,
        controlUrl: 'x',
        log: () => undefined,
      });
      throw new Error('expected an InventoryError');
    } catch (err) {
      expect(err).toBeInstanceOf(InventoryError);
      expect((err as Error).message).toMatch(
        /bad\.yaml:\d+:\d+ nodes\[3\]\.roles\[0\]: unknown role "cahce"/,
      );
    }
  });
});
