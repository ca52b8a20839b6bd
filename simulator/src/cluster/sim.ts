// The simulator: every node of an inventory on its loopback address, with real redis-server
// and nginx processes, fake engines and GPU tools, faults, and the derived inventory. It
// starts everything or nothing: a failure stops whatever had already started.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Inventory } from '@okome/provisioning';
import { loadInventory } from '@okome/provisioning';
import { findExecutable, isAlive, stopFromPidFile } from '../procs/child';
import { runningAsRoot } from '../util/net';
import { FaultStore } from './faults';
import type { Fault, FaultRequest } from './faults';
import { SimNode } from './node';
import { planSimulation } from './plan';
import type { SimPlan } from './plan';
import { derivedInventoryPath, readRunFile, removeRunFile, writeRunFile } from './runfile';
import { toolMainBuilt, writeFakeTool } from './tools';

export interface SimOptions {
  inventoryPath: string;
  stateDir: string;
  seed: number;
  controlUrl: string;
  log: (line: string) => void;
  /** Route through the exporters' taps when the inventory asks for it (see PlanOptions). */
  taps?: boolean;
  /**
   * The stack's alert-window compression (okome-slo --time-scale), reported in /state so
   * drills and dashboards can tell a compressed run. It never changes token timing: tokens/s,
   * first-token delays and hop latencies stay the inventory's, which is what the SLIs measure.
   */
  timeScale?: number;
  /** Binaries, for tests that check the "missing binary" path. */
  redisBinary?: string;
  nginxBinary?: string;
}

export class SimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimError';
  }
}

export interface NodeState {
  id: string;
  hostname: string;
  address: string;
  roles: string[];
  state: 'up' | 'down' | 'partitioned' | 'degraded' | 'idle';
  faults: string[];
  effects: SimNode['effects'];
  services: Array<{
    name: string;
    kind: string;
    port: number;
    url: string;
    runtime: string;
    up: boolean;
    pid?: number;
    state?: string;
  }>;
  engines: Array<{
    service: string;
    kind: string;
    running: number;
    waiting: number;
    completed: number;
    loaded: string[];
  }>;
  streams: Array<{ service: string } & Record<string, number | string>>;
  gpus: Array<{
    index: number;
    name: string;
    uuid: string;
    memoryUsedMiB: number;
    memoryTotalMiB: number;
    utilization: number;
    xid?: number;
    processes: Array<{ pid: number; name: string; engine: string; usedMiB: number }>;
  }>;
  tools?: Inventory['nodes'][number]['tools'];
}

export class Simulator {
  readonly faults: FaultStore;
  readonly nodes = new Map<string, SimNode>();
  private snapshotTimer?: NodeJS.Timeout;
  ready = false;
  readonly startedAt = new Date();

  private constructor(
    readonly opts: SimOptions,
    readonly source: Inventory,
    readonly plan: SimPlan,
  ) {
    this.faults = new FaultStore((node) => void this.onFaultsChanged(node));
  }

  get derived(): Inventory {
    return this.plan.derived;
  }

  get derivedPath(): string {
    return derivedInventoryPath(this.opts.stateDir);
  }

  /** Loads, checks and plans; throws SimError or InventoryError before anything starts. */
  static prepare(opts: SimOptions): Simulator {
    const inv = loadInventory(opts.inventoryPath);
    const plan = planSimulation(inv, opts.stateDir, runningAsRoot(), { taps: opts.taps });
    const needRedis = plan.redisCount > 0;
    const needNginx = plan.nginxCount > 0;
    const redisBinary = needRedis ? findExecutable(opts.redisBinary ?? 'redis-server') : undefined;
    const nginxBinary = needNginx ? findExecutable(opts.nginxBinary ?? 'nginx') : undefined;
    const missing = [
      needRedis && !redisBinary ? 'redis-server (Debian package redis-server)' : '',
      needNginx && !nginxBinary ? 'nginx (Debian package nginx-light)' : '',
    ].filter(Boolean);
    if (missing.length)
      throw new SimError(
        `cannot simulate ${inv.cluster}: missing ${missing.join(' and ')} on PATH`,
      );
    if (plan.nodes.some((n) => n.node.gpus.length) && !toolMainBuilt())
      throw new SimError(
        'the fake GPU tools need the built package: run `npx tsc -b simulator` first',
      );
    const existing = readRunFile(opts.stateDir);
    if (existing && existing.pid !== process.pid && isAlive(existing.pid))
      throw new SimError(
        `okome-sim is already running for ${existing.cluster} (pid ${existing.pid}, state dir ${opts.stateDir}); run \`okome-sim down --state-dir ${opts.stateDir}\` first`,
      );
    const sim = new Simulator({ ...opts, redisBinary, nginxBinary }, inv, plan);
    for (const p of plan.nodes)
      sim.nodes.set(
        p.node.id,
        new SimNode(p, {
          inv: plan.derived,
          seed: opts.seed,
          redisBinary,
          nginxBinary,
          log: opts.log,
        }),
      );
    return sim;
  }

  /** Cleans up what a crashed earlier run left in this state dir. */
  static async cleanStale(stateDir: string, log: (l: string) => void): Promise<void> {
    const run = readRunFile(stateDir);
    if (!run || isAlive(run.pid)) return;
    let n = 0;
    for (const r of run.redis) if (await stopFromPidFile(r.pidFile, 'redis-server')) n++;
    for (const x of run.nginx) if (await stopFromPidFile(x.pidFile, 'nginx')) n++;
    removeRunFile(stateDir);
    if (n) log(`cleaned up ${n} process(es) left by a crashed okome-sim (pid ${run.pid})`);
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    mkdirSync(this.opts.stateDir, { recursive: true });
    writeFileSync(join(this.opts.stateDir, 'sim.pid'), `${process.pid}\n`);
    writeRunFile(this.opts.stateDir, {
      pid: process.pid,
      cluster: this.source.cluster,
      source: this.opts.inventoryPath,
      inventory: this.derivedPath,
      controlUrl: this.opts.controlUrl,
      startedAt: this.startedAt.toISOString(),
      redis: [...this.nodes.values()]
        .filter((n) => n.redis)
        .map((n) => ({ node: n.id, pidFile: n.redis?.pidFile as string })),
      nginx: [...this.nodes.values()]
        .filter((n) => n.nginx)
        .map((n) => ({ node: n.id, pidFile: n.nginx?.pidFile as string })),
    });
    try {
      for (const node of this.nodes.values()) {
        const tools = node.plan.node.tools;
        const snap = join(node.plan.dir, 'gpu-state.json');
        if (tools?.nvidiaSmi) writeFakeTool(tools.nvidiaSmi, 'nvidia-smi', snap, node.id);
        if (tools?.rocmSmi) writeFakeTool(tools.rocmSmi, 'rocm-smi', snap, node.id);
        node.writeGpuSnapshot();
      }
      await Promise.all([...this.nodes.values()].map((n) => n.startServices()));
      await Promise.all([...this.nodes.values()].map((n) => n.startNginx()));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.snapshotTimer = setInterval(() => {
      for (const n of this.nodes.values()) {
        try {
          n.writeGpuSnapshot();
        } catch (err) {
          this.opts.log(`${n.id}: cannot write GPU snapshot: ${(err as Error).message}`);
        }
      }
    }, 1000);
    this.snapshotTimer.unref();
    writeFileSync(
      this.derivedPath,
      `# Derived by okome-sim from ${this.opts.inventoryPath}: loopback addresses, fake tools.\n${stringify(this.derived)}`,
    );
    this.ready = true;
    this.opts.log(
      `${this.source.cluster}: ${this.nodes.size} nodes up (${this.plan.redisCount} redis-server, ${this.plan.nginxCount} nginx) in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
  }

  async stop(): Promise<void> {
    this.ready = false;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.faults.clear();
    await Promise.all(
      [...this.nodes.values()].map((n) =>
        n.stop().catch((err) => this.opts.log(`${n.id}: stop failed: ${(err as Error).message}`)),
      ),
    );
    const run = readRunFile(this.opts.stateDir);
    if (run?.pid === process.pid) {
      removeRunFile(this.opts.stateDir);
      rmSync(join(this.opts.stateDir, 'sim.pid'), { force: true });
    }
  }

  addFault(req: FaultRequest): Fault {
    const node = this.nodes.get(req.node);
    const note = node?.plan.idle
      ? `${req.node} runs no simulated service (its Prometheus/Alertmanager belong to the stack): nothing changes here`
      : undefined;
    return this.faults.add(req, note);
  }

  private async onFaultsChanged(nodeId: string): Promise<void> {
    const node = this.nodes.get(nodeId);
    if (!node) return;
    await node.applyFaults(this.faults.forNode(nodeId));
    try {
      node.writeGpuSnapshot();
    } catch {
      /* next tick writes it */
    }
  }

  /** Waits until pending fault effects have been applied (tests, and DELETE responses). */
  async settle(): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map((n) => n.applyFaults(this.faults.forNode(n.id))),
    );
  }

  allUp(): boolean {
    return (
      this.ready &&
      [...this.nodes.values()].every((n) => n.isUp() || n.effects.down || n.effects.redisDown)
    );
  }

  nodeState(n: SimNode): NodeState {
    const node = n.plan.node;
    const services: NodeState['services'] = [];
    for (const s of n.plan.services) {
      const url = `http://${node.address}:${s.port}`;
      if (s.kind === 'redis')
        services.push({
          name: s.name,
          kind: s.kind,
          port: s.port,
          url: `redis://${node.address}:${s.port}`,
          runtime: 'redis-server',
          up: n.redis?.state === 'running',
          pid: n.redis?.pid,
          state: n.redis?.state,
        });
      else {
        const server = n.servers.find((x) => x.port === s.port);
        services.push({
          name: s.name,
          kind: s.kind,
          port: s.port,
          url,
          runtime: 'okome-sim',
          up: !!server?.listening && !n.effects.partition,
          state: n.effects.partition ? 'partitioned' : server?.listening ? 'running' : 'stopped',
        });
      }
    }
    for (const p of n.plan.nginxPools)
      services.push({
        name: `nginx:${p.name}`,
        kind: 'nginx',
        port: p.listenPort,
        url: `http://${node.address}:${p.listenPort}`,
        runtime: 'nginx',
        up: n.nginx?.state === 'running',
        pid: n.nginx?.pid,
        state: n.nginx?.state,
      });
    const snap = n.gpuSnapshot();
    const faults = this.faults.forNode(n.id);
    let state: NodeState['state'] = 'up';
    if (n.plan.idle) state = 'idle';
    else if (n.effects.down) state = 'down';
    else if (n.effects.partition) state = 'partitioned';
    else if (faults.length || services.some((s) => !s.up)) state = 'degraded';
    return {
      id: n.id,
      hostname: node.hostname,
      address: node.address,
      roles: node.roles,
      state,
      faults: faults.map((f) => f.id),
      effects: n.effects,
      services,
      engines: n.engines.map((e) => ({
        service: e.service,
        kind: e.kind,
        running: e.core.running,
        waiting: e.core.waiting,
        completed: e.core.requestsCompleted,
        loaded: [...e.core.loaded.keys()],
      })),
      streams: n.streams.map((s) => ({ service: s.service, ...s.stats })),
      gpus: (snap?.gpus ?? []).map((g) => ({
        index: g.index,
        name: g.name,
        uuid: g.uuid,
        memoryUsedMiB: g.usedMiB,
        memoryTotalMiB: g.totalMiB,
        utilization: g.utilizationGpu,
        ...(g.xid !== undefined ? { xid: g.xid } : {}),
        processes: g.processes,
      })),
      ...(node.tools ? { tools: node.tools } : {}),
    };
  }

  state() {
    return {
      cluster: this.source.cluster,
      source: this.opts.inventoryPath,
      inventory: this.derivedPath,
      stateDir: this.opts.stateDir,
      controlUrl: this.opts.controlUrl,
      pid: process.pid,
      seed: this.opts.seed,
      timeScale: this.opts.timeScale ?? 1,
      startedAt: this.startedAt.toISOString(),
      ready: this.allUp(),
      nodes: [...this.nodes.values()].map((n) => this.nodeState(n)),
      faults: this.faults.list(),
    };
  }
}
