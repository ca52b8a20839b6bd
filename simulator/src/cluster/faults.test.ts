import type { InventoryNode } from '@okome/provisioning';
import { HttpError } from '../util/http';
import { DEFAULT_FAULT_MS, FaultStore, effectsOf, validateFault } from './faults';
import type { Fault } from './faults';

const nodes: InventoryNode[] = [
  {
    id: 'CORE',
    hostname: 'core',
    address: '127.0.1.1',
    roles: ['gpu-core'],
    maintenance: false,
    arch: 'x86_64',
    exporterPort: 9464,
    services: [{ name: 'vllm', kind: 'vllm', port: 8000 }],
    gpus: [{ index: 0, vendor: 'nvidia', model: 'A100', memoryMiB: 81920, budgets: [] }],
  },
  {
    id: 'NODE-03',
    hostname: 'n3',
    address: '127.0.1.3',
    roles: ['cache'],
    maintenance: false,
    arch: 'x86_64',
    exporterPort: 9464,
    services: [{ name: 'redis', kind: 'redis', port: 6379 }],
    gpus: [],
  },
];

function fieldOf(body: unknown): string | undefined {
  try {
    validateFault(body, nodes);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).message.startsWith(`${(err as HttpError).field}:`)).toBe(true);
    return (err as HttpError).field;
  }
}

describe('validateFault', () => {
  it.each([
    ['missing node', { kind: 'down' }, 'node'],
    ['unknown node', { node: 'CORE2', kind: 'down' }, 'node'],
    ['unknown kind', { node: 'CORE', kind: 'explode' }, 'kind'],
    ['bad duration', { node: 'CORE', kind: 'down', duration: '5 minutes' }, 'duration'],
    ['negative duration', { node: 'CORE', kind: 'down', duration: -1 }, 'duration'],
    ['params not an object', { node: 'CORE', kind: 'slow', params: 3 }, 'params'],
    ['bad slow ms', { node: 'CORE', kind: 'slow', params: { ms: 'x' } }, 'params.ms'],
    ['redis-down without redis', { node: 'CORE', kind: 'redis-down' }, 'node'],
    ['gpu-oom without GPU', { node: 'NODE-03', kind: 'gpu-oom' }, 'node'],
    ['latency without engine', { node: 'NODE-03', kind: 'latency' }, 'node'],
    ['bad xid', { node: 'CORE', kind: 'gpu-xid', params: { xid: 'lost' } }, 'params.xid'],
    ['unknown field', { node: 'CORE', kind: 'down', target: 'x' }, 'target'],
  ])('rejects %s naming the field', (_name, body, field) => {
    expect(fieldOf(body)).toBe(field);
  });

  it('accepts a good fault, with durations as text or seconds and a default', () => {
    expect(validateFault({ node: 'CORE', kind: 'down', duration: '1m30s' }, nodes).durationMs).toBe(
      90_000,
    );
    expect(validateFault({ node: 'CORE', kind: 'down', duration: 2 }, nodes).durationMs).toBe(2000);
    expect(validateFault({ node: 'NODE-03', kind: 'redis-down' }, nodes).durationMs).toBe(
      DEFAULT_FAULT_MS,
    );
  });
});

describe('effectsOf', () => {
  const f = (kind: Fault['kind'], params: Record<string, unknown> = {}): Fault => ({
    id: kind,
    node: 'CORE',
    kind,
    params,
    createdAt: '',
    expiresAt: '',
    durationMs: 1,
  });
  it('combines faults: the strongest slow, XID 79 as a lost GPU, other XIDs not', () => {
    const e = effectsOf([f('slow', { ms: 50 }), f('slow', { ms: 300 }), f('gpu-xid')]);
    expect(e).toMatchObject({ slowMs: 300, gpuLost: true, xid: 79, down: false });
    expect(effectsOf([f('gpu-xid', { xid: 48 })])).toMatchObject({ gpuLost: false, xid: 48 });
    expect(effectsOf([])).toMatchObject({
      down: false,
      partition: false,
      redisDown: false,
      slowMs: 0,
    });
  });
});

describe('FaultStore', () => {
  it('expires a fault at its duration and reports each change', async () => {
    const changes: string[] = [];
    const store = new FaultStore((node) => changes.push(node));
    const fault = store.add({ node: 'CORE', kind: 'down', durationMs: 60, params: {} });
    expect(store.list().map((x) => x.id)).toEqual([fault.id]);
    await new Promise((r) => setTimeout(r, 120));
    expect(store.list()).toEqual([]);
    expect(changes).toEqual(['CORE', 'CORE']);
  });

  it('clears by id and all at once', () => {
    const store = new FaultStore(() => undefined);
    const a = store.add({ node: 'CORE', kind: 'slow', durationMs: 10_000, params: {} });
    store.add({ node: 'NODE-03', kind: 'redis-down', durationMs: 10_000, params: {} });
    expect(store.remove(a.id)?.id).toBe(a.id);
    expect(store.remove(a.id)).toBeUndefined();
    expect(store.clear()).toHaveLength(1);
    expect(store.list()).toEqual([]);
  });
});
