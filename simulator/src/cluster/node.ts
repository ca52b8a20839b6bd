// One simulated node: its fake services, its real redis-server and nginx, its GPUs, and how
// the faults acting on it change all of them.
import { EventEmitter } from 'node:events';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineKind, Inventory, Service } from '@okome/provisioning';
import { tapPort } from '@okome/provisioning';
import type { NodeEffects, ServiceContext } from '../engines/context';
import { NO_EFFECTS } from '../engines/context';
import { EngineCore } from '../engines/core';
import { createOllamaHandler } from '../engines/ollama';
import { createOpenAiHandler } from '../engines/openai';
import { engineModels } from '../engines/profile';
import { createTensorflowHandler } from '../engines/tensorflow';
import { VllmMetrics } from '../engines/vllm-metrics';
import { NodeGpus } from '../gpu/node-gpus';
import type { NodeGpuSnapshot } from '../gpu/snapshot';
import { NginxProcess } from '../procs/nginx';
import { RedisProcess } from '../procs/redis';
import { RespClient } from '../procs/resp';
import { createGatewayHandler } from '../services/gateway';
import { createStreamHandler } from '../services/stream';
import type { EngineRoute, StreamStats } from '../services/stream';
import { createRandom, hashString } from '../util/prng';
import { effectsOf } from './faults';
import type { Fault } from './faults';
import type { NodePlan } from './plan';
import { enginePool, isEngineKind } from './plan';
import { ManagedServer } from './server';
import type { Handler } from './server';

export const GPU_VERSIONS = { driver: '550.90.07', cuda: '12.4', rocm: '6.3.1' };

export interface NodeDeps {
  inv: Inventory;
  seed: number;
  redisBinary?: string;
  nginxBinary?: string;
  log: (line: string) => void;
}

interface EngineEntry {
  service: string;
  kind: EngineKind;
  core: EngineCore;
}

export class SimNode {
  readonly id: string;
  effects: NodeEffects & { redisDown: boolean } = { ...NO_EFFECTS, redisDown: false };
  readonly servers: ManagedServer[] = [];
  readonly engines: EngineEntry[] = [];
  readonly streams: Array<{ service: string; stats: StreamStats; close: () => void }> = [];
  redis?: RedisProcess;
  nginx?: NginxProcess;
  gpus?: NodeGpus;
  private readonly gateEvents = new EventEmitter();
  private reconcileChain: Promise<void> = Promise.resolve();
  private readonly cacheClients: RespClient[] = [];
  readonly ctx: ServiceContext;

  constructor(
    readonly plan: NodePlan,
    private readonly deps: NodeDeps,
  ) {
    this.id = plan.node.id;
    this.gateEvents.setMaxListeners(0);
    const random = createRandom(deps.seed ^ hashString(plan.node.id));
    this.ctx = {
      nodeId: this.id,
      effects: () => this.effects,
      random,
      gate: (signal) => this.gate(signal),
    };
    this.build();
  }

  private gate(signal?: AbortSignal): Promise<void> {
    if (!this.effects.partition) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const open = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.gateEvents.off('open', open);
        reject(signal?.reason ?? new Error('aborted'));
      };
      this.gateEvents.once('open', open);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private build(): void {
    const { node } = this.plan;
    const inv = this.deps.inv;
    const startedAt = Date.now();
    for (const svc of this.plan.services) {
      const label = `${node.id}/${svc.name}`;
      let handler: Handler | undefined;
      if (isEngineKind(svc.kind)) {
        const models = engineModels(inv, node, svc);
        const metrics =
          svc.kind === 'vllm' ? new VllmMetrics(models.own.map((m) => m.name)) : undefined;
        const core = new EngineCore(svc.kind, this.ctx, models, metrics?.record);
        metrics?.attach(core);
        this.engines.push({ service: svc.name, kind: svc.kind, core });
        const budget =
          node.gpus.flatMap((g) => g.budgets).find((b) => b.engine === 'ollama')?.memoryMiB ?? 0;
        handler =
          svc.kind === 'ollama'
            ? withOpenAiCompat(
                createOllamaHandler(core, { vramBudgetMiB: budget, startedAt }),
                createOpenAiHandler(core, { ownedBy: 'library', maxModelLen: 4096 }),
              )
            : svc.kind === 'vllm'
              ? createOpenAiHandler(core, { ownedBy: 'vllm', maxModelLen: 32768, metrics })
              : createTensorflowHandler(core);
      } else if (svc.kind === 'gateway') {
        handler = createGatewayHandler(inv);
      } else if (svc.kind === 'stream') {
        const redisSvc = node.services.find((s) => s.kind === 'redis');
        const cache = new RespClient(node.address, redisSvc?.port ?? 6379, 250);
        this.cacheClients.push(cache);
        const stream = createStreamHandler({
          nodeId: node.id,
          route: engineRoute(inv, node.id),
          cache,
          cacheTtlSeconds: 3600,
        });
        this.streams.push({ service: svc.name, stats: stream.stats, close: stream.close });
        handler = stream;
      } else if (svc.kind === 'redis' && this.deps.redisBinary) {
        this.redis = new RedisProcess({
          nodeId: node.id,
          host: node.address,
          port: svc.port,
          dir: join(this.plan.dir, 'redis'),
          binary: this.deps.redisBinary,
        });
        this.redis.onUnexpectedExit = (code) =>
          this.deps.log(`${node.id}: redis-server exited unexpectedly (code ${code})`);
      }
      if (handler)
        this.servers.push(new ManagedServer(label, node.address, svc.port, this.ctx, handler));
    }
    if (this.plan.nginxPools.length && this.deps.nginxBinary) {
      this.nginx = new NginxProcess({
        nodeId: node.id,
        prefix: join(this.plan.dir, 'nginx'),
        binary: this.deps.nginxBinary,
        listens: this.plan.nginxPools.map((p) => ({
          pool: p.name,
          host: node.address,
          port: p.listenPort,
        })),
      });
      this.nginx.onUnexpectedExit = (code) =>
        this.deps.log(`${node.id}: nginx exited unexpectedly (code ${code})`);
    }
    if (node.gpus.length) {
      this.gpus = new NodeGpus(inv.cluster, node, this.deps.seed, (engine) => {
        const e = this.engines.find((x) => x.kind === engine);
        return e ? { running: e.core.running, loadedMiB: e.core.loadedMiB() } : undefined;
      });
    }
  }

  /** Fake services and redis; nginx comes after every node's backends listen. */
  async startServices(): Promise<void> {
    await Promise.all([...this.servers.map((s) => s.listen()), this.redis?.start()]);
  }

  async startNginx(): Promise<void> {
    if (!this.nginx) return;
    this.nginx.writeConfig(this.deps.inv);
    await this.nginx.test();
    await this.nginx.start();
  }

  async stop(): Promise<void> {
    this.stopSlowCycle();
    this.effects = { ...this.effects, partition: false };
    this.gateEvents.emit('open');
    await Promise.all([
      ...this.servers.map((s) => s.close()),
      this.redis?.stop(),
      this.nginx?.stop(),
    ]);
    for (const c of this.cacheClients) c.close();
    for (const s of this.streams) s.close();
  }

  /** Applies the node's active faults; serialised so quick add/clear sequences stay ordered. */
  applyFaults(faults: Fault[]): Promise<void> {
    const next = effectsOf(faults);
    this.reconcileChain = this.reconcileChain
      .then(() => this.reconcile(next))
      .catch((err) =>
        this.deps.log(`${this.id}: applying faults failed: ${(err as Error).message}`),
      );
    return this.reconcileChain;
  }

  private slowTimer?: NodeJS.Timeout;
  private slowPaused = false;

  /** The real processes this node runs that are up now. */
  private liveProcs(): Array<RedisProcess | NginxProcess> {
    return [this.redis, this.nginx].filter(
      (p): p is RedisProcess | NginxProcess => !!p && p.state !== 'stopped',
    );
  }

  private stopSlowCycle(): void {
    clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
    if (this.slowPaused) for (const p of this.liveProcs()) p.resume();
    this.slowPaused = false;
  }

  /**
   * `slow` on real processes (nginx, redis-server), which cannot be told to wait: they are
   * stopped for `ms` out of every 2×`ms`, like a starved CPU. A request waits up to `ms`,
   * a stream stalls that long now and then.
   */
  private startSlowCycle(ms: number): void {
    const tick = () => {
      const procs = this.liveProcs();
      if (this.slowPaused) procs.forEach((p) => p.resume());
      else procs.forEach((p) => p.pause());
      this.slowPaused = !this.slowPaused;
      this.slowTimer = setTimeout(tick, ms);
      this.slowTimer.unref();
    };
    tick();
  }

  private async reconcile(next: NodeEffects & { redisDown: boolean }): Promise<void> {
    const wasPartitioned = this.effects.partition;
    this.stopSlowCycle();
    this.effects = next;
    if (next.down) await Promise.all(this.servers.map((s) => s.close()));
    else await Promise.all(this.servers.map((s) => s.listen()));

    if (this.redis) {
      if (next.down || next.redisDown) await this.redis.stop();
      else {
        if (this.redis.state === 'stopped') await this.redis.start();
        if (next.partition) this.redis.pause();
        else this.redis.resume();
      }
    }
    if (this.nginx) {
      if (next.down) await this.nginx.stop();
      else {
        if (this.nginx.state === 'stopped') await this.nginx.start();
        if (next.partition) this.nginx.pause();
        else this.nginx.resume();
      }
    }
    if (wasPartitioned && !next.partition) this.gateEvents.emit('open');
    if (next.slowMs > 0 && !next.down && !next.partition && this.liveProcs().length)
      this.startSlowCycle(next.slowMs);
  }

  gpuSnapshot(): NodeGpuSnapshot | undefined {
    return this.gpus?.snapshot(
      {
        ...(this.effects.gpuOom ? { oom: { engine: this.effects.gpuOomEngine } } : {}),
        ...(this.effects.xid !== undefined ? { xid: this.effects.xid } : {}),
      },
      GPU_VERSIONS,
    );
  }

  writeGpuSnapshot(): void {
    const snap = this.gpuSnapshot();
    if (!snap) return;
    const file = join(this.plan.dir, 'gpu-state.json');
    mkdirSync(this.plan.dir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(snap));
    renameSync(`${file}.tmp`, file);
  }

  /** Up = every service this node runs answers (or holds, when partitioned on purpose). */
  isUp(): boolean {
    if (this.plan.idle) return true;
    return (
      this.servers.every((s) => s.listening) &&
      (!this.redis || this.redis.state !== 'stopped') &&
      (!this.nginx || this.nginx.state !== 'stopped')
    );
  }
}

/** Ollama also serves the OpenAI-compatible API under /v1 (its `openai-compatibility`). */
function withOpenAiCompat(ollama: Handler, openai: Handler): Handler {
  return (req, res) => ((req.url ?? '').startsWith('/v1/') ? openai(req, res) : ollama(req, res));
}

/**
 * The port a stream node dials for an engine: its token-latency tap when the inventory routes
 * the token path through the taps (as the nginx upstreams do), so the engine hop is measured
 * on the direct path too; else the engine itself.
 */
function enginePort(inv: Inventory, service: Service): number {
  return (inv.observability.taps && tapPort(service)) || service.port;
}

/** Where a stream node sends engine traffic (see services/stream.ts). */
export function engineRoute(inv: Inventory, fromNode: string): EngineRoute {
  const pool = enginePool(inv);
  const nodes = new Map(inv.nodes.map((n) => [n.id, n]));
  if (!pool) {
    const engines = inv.nodes.flatMap((n) =>
      n.services
        .filter((s) => isEngineKind(s.kind) && s.kind !== 'tensorflow')
        .map((s) => ({ n, s })),
    );
    const first = engines[0];
    return {
      candidates: engines.map(({ n, s }) => ({
        url: `http://${n.address}:${enginePort(inv, s)}`,
        via: `${n.id}/${s.name}`,
      })),
      protocol: first?.s.kind === 'ollama' ? 'ollama-chat' : 'openai-chat',
      defaultModel: first?.s.models?.[0] ?? inv.models[0]?.name ?? 'default',
    };
  }
  const firstBackend = pool.backends[0];
  const backendSvc = firstBackend
    ? nodes.get(firstBackend.node)?.services.find((s) => s.name === firstBackend.service)
    : undefined;
  const protocol = backendSvc?.kind === 'ollama' ? 'ollama-chat' : 'openai-chat';
  const defaultModel = backendSvc?.models?.[0] ?? inv.models[0]?.name ?? 'default';
  if (pool.actuator !== 'haproxy' && pool.frontends.length) {
    // Spread stream nodes over the ingress frontends; the others are the failover.
    const start = hashString(fromNode) % pool.frontends.length;
    const order = pool.frontends.map(
      (_, i) => pool.frontends[(start + i) % pool.frontends.length] as string,
    );
    return {
      candidates: order.map((id) => ({
        url: `http://${nodes.get(id)?.address}:${pool.listenPort}`,
        via: `nginx@${id}`,
      })),
      protocol,
      defaultModel,
    };
  }
  const rank = (id: string) => {
    const i = pool.failoverOrder.indexOf(id);
    return i < 0 ? pool.failoverOrder.length : i;
  };
  const backends = [...pool.backends].sort((a, b) => rank(a.node) - rank(b.node));
  return {
    candidates: backends.map((b) => {
      const n = nodes.get(b.node);
      const s = n?.services.find((x) => x.name === b.service);
      return {
        url: `http://${n?.address}:${s ? enginePort(inv, s) : undefined}`,
        via: `${b.node}/${b.service}`,
      };
    }),
    protocol,
    defaultModel,
  };
}
