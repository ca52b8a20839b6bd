// Faults: validated requests, their expiry, and the effect the set of active faults has on
// one node. Pure apart from the clock passed in.
import { ENGINE_KINDS } from '@okome/provisioning';
import type { InventoryNode } from '@okome/provisioning';
import type { NodeEffects } from '../engines/context';
import { NO_EFFECTS } from '../engines/context';
import { GPU_LOST_XIDS } from '../gpu/snapshot';
import { HttpError } from '../util/http';
import { parseDuration } from '../util/time';

export const FAULT_KINDS = [
  'down',
  'slow',
  'latency',
  'gpu-oom',
  'gpu-xid',
  'redis-down',
  'partition',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault without `duration` still ends, so a forgotten fault never leaves the cluster broken. */
export const DEFAULT_FAULT_MS = 10 * 60_000;
export const MAX_FAULT_MS = 24 * 3_600_000;

export interface Fault {
  id: string;
  node: string;
  kind: FaultKind;
  params: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
  durationMs: number;
  /** Why this fault changes nothing in the simulation, when it does not. */
  note?: string;
}

export interface FaultRequest {
  node: string;
  kind: FaultKind;
  durationMs: number;
  params: Record<string, unknown>;
}

const ENGINE_SERVICE_KINDS = new Set<string>(ENGINE_KINDS);

function bad(field: string, message: string): never {
  throw new HttpError(400, `${field}: ${message}`, field);
}

function numberParam(params: Record<string, unknown>, key: string, min: number, max: number): void {
  const v = params[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    bad(`params.${key}`, `expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
}

/** Checks a POST /faults body against the cluster; throws HttpError 400 naming the field. */
export function validateFault(body: unknown, nodes: InventoryNode[]): FaultRequest {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    bad('body', 'expected a JSON object {node, kind, duration?, params?}');
  const o = body as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!['node', 'kind', 'duration', 'params'].includes(key))
      bad(key, 'unknown field (expected node, kind, duration, params)');
  if (typeof o.node !== 'string' || !o.node) bad('node', 'required (a node id of the inventory)');
  const node = nodes.find((n) => n.id === o.node);
  if (!node) bad('node', `unknown node "${o.node}" (known: ${nodes.map((n) => n.id).join(', ')})`);
  if (typeof o.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(o.kind))
    bad('kind', `expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(o.kind)}`);
  const kind = o.kind as FaultKind;
  let durationMs = DEFAULT_FAULT_MS;
  if (o.duration !== undefined) {
    const d =
      typeof o.duration === 'number' || typeof o.duration === 'string'
        ? parseDuration(o.duration)
        : undefined;
    if (d === undefined || d <= 0)
      bad(
        'duration',
        `expected a duration such as "30s" or "500ms" (or seconds as a number), got ${JSON.stringify(o.duration)}`,
      );
    if (d > MAX_FAULT_MS) bad('duration', 'longer than 24h');
    durationMs = d;
  }
  let params: Record<string, unknown> = {};
  if (o.params !== undefined) {
    if (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params))
      bad('params', 'expected an object');
    params = o.params as Record<string, unknown>;
  }
  const kinds = new Set(node.services.map((s) => s.kind));
  const hasEngine = node.services.some((s) => ENGINE_SERVICE_KINDS.has(s.kind));
  switch (kind) {
    case 'slow':
      numberParam(params, 'ms', 0, 600_000);
      break;
    case 'latency':
      if (!hasEngine) bad('node', `latency needs an engine, and ${node.id} runs none`);
      numberParam(params, 'ms', 0, 600_000);
      break;
    case 'gpu-oom':
      if (!node.gpus.length) bad('node', `${node.id} has no GPU`);
      if (
        params.engine !== undefined &&
        (typeof params.engine !== 'string' || !ENGINE_SERVICE_KINDS.has(params.engine))
      )
        bad('params.engine', `expected one of ${ENGINE_KINDS.join(', ')}`);
      break;
    case 'gpu-xid':
      if (!node.gpus.length) bad('node', `${node.id} has no GPU`);
      if (
        params.xid !== undefined &&
        (typeof params.xid !== 'number' ||
          !Number.isInteger(params.xid) ||
          params.xid < 1 ||
          params.xid > 200)
      )
        bad('params.xid', 'expected an XID number (e.g. 79 = GPU has fallen off the bus)');
      break;
    case 'redis-down':
      if (!kinds.has('redis')) bad('node', `${node.id} runs no redis-server`);
      break;
    default:
      break;
  }
  return { node: node.id, kind, durationMs, params };
}

/** The combined effect of a node's active faults. */
export function effectsOf(faults: Fault[]): NodeEffects & { redisDown: boolean } {
  const e: NodeEffects & { redisDown: boolean } = { ...NO_EFFECTS, redisDown: false };
  for (const f of faults) {
    switch (f.kind) {
      case 'down':
        e.down = true;
        break;
      case 'partition':
        e.partition = true;
        break;
      case 'slow':
        e.slowMs = Math.max(e.slowMs, typeof f.params.ms === 'number' ? f.params.ms : 250);
        break;
      case 'latency':
        e.latencyMs = Math.max(e.latencyMs, typeof f.params.ms === 'number' ? f.params.ms : 2000);
        break;
      case 'gpu-oom':
        e.gpuOom = true;
        if (typeof f.params.engine === 'string') e.gpuOomEngine = f.params.engine;
        break;
      case 'gpu-xid': {
        const xid = typeof f.params.xid === 'number' ? f.params.xid : 79;
        e.xid = xid;
        if (GPU_LOST_XIDS.has(xid)) e.gpuLost = true;
        break;
      }
      case 'redis-down':
        e.redisDown = true;
        break;
    }
  }
  return e;
}

/** Active faults with their timers; `onChange(node)` runs after every add, expiry or clear. */
export class FaultStore {
  private readonly faults = new Map<string, Fault>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private seq = 0;

  constructor(private readonly onChange: (node: string) => void) {}

  add(req: FaultRequest, note?: string): Fault {
    const id = `f${++this.seq}`;
    const now = Date.now();
    const fault: Fault = {
      id,
      node: req.node,
      kind: req.kind,
      params: req.params,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + req.durationMs).toISOString(),
      durationMs: req.durationMs,
      ...(note ? { note } : {}),
    };
    this.faults.set(id, fault);
    const timer = setTimeout(() => this.remove(id), req.durationMs);
    timer.unref();
    this.timers.set(id, timer);
    this.onChange(req.node);
    return fault;
  }

  remove(id: string): Fault | undefined {
    const f = this.faults.get(id);
    if (!f) return undefined;
    this.faults.delete(id);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.onChange(f.node);
    return f;
  }

  clear(): Fault[] {
    const all = [...this.faults.values()];
    for (const f of all) this.remove(f.id);
    return all;
  }

  list(): Fault[] {
    return [...this.faults.values()];
  }

  forNode(node: string): Fault[] {
    return this.list().filter((f) => f.node === node);
  }
}
