// From an inventory to what the simulator runs: the derived inventory (loopback addresses,
// effective ports, paths of the fake tools and of each ingress nginx) and, per node, the
// services it starts. Pure: no IO.
import { join } from 'node:path';
import { ENGINE_KINDS, toLoopback } from '@okome/provisioning';
import type { EngineKind, Inventory, InventoryNode, Pool, Service } from '@okome/provisioning';
import { effectivePort } from '../util/net';

/** Service kinds the simulator runs itself (engines, stream, gateway) or for real (redis). */
export const SIMULATED_KINDS = new Set<string>([...ENGINE_KINDS, 'stream', 'gateway', 'redis']);

export interface NodePlan {
  node: InventoryNode;
  dir: string;
  /** Services the simulator runs on this node (by kind). */
  services: Service[];
  /** Pools whose nginx runs on this node. */
  nginxPools: Pool[];
  /** Only observability here (or nothing to run): the stack's own servers take the address. */
  idle: boolean;
}

export interface SimPlan {
  derived: Inventory;
  nodes: NodePlan[];
  redisCount: number;
  nginxCount: number;
}

export function nodeDir(stateDir: string, nodeId: string): string {
  return join(stateDir, 'nodes', nodeId);
}

export function nginxPrefix(stateDir: string, nodeId: string): string {
  return join(nodeDir(stateDir, nodeId), 'nginx');
}

/** Pools served by nginx on `nodeId` (the nginx actuator; HAProxy pools are not simulated). */
export function nginxPoolsOf(inv: Inventory, nodeId: string): Pool[] {
  return inv.routing.pools.filter((p) => p.actuator !== 'haproxy' && p.frontends.includes(nodeId));
}

export interface PlanOptions {
  /**
   * Exporters run beside the simulator (okome-stack): keep the inventory's
   * `observability.taps`, so nginx routes through their taps. Without them a tapped hop would
   * have nothing listening, so the derived inventory turns taps off.
   */
  taps?: boolean;
}

export function planSimulation(
  inv: Inventory,
  stateDir: string,
  isRoot: boolean,
  planOpts: PlanOptions = {},
): SimPlan {
  const loop = toLoopback(inv);
  const port = (p: number) => effectivePort(p, isRoot);
  const derived: Inventory = {
    ...loop,
    simulated: true,
    routing: { pools: loop.routing.pools.map((p) => ({ ...p, listenPort: port(p.listenPort) })) },
    observability: {
      ...loop.observability,
      taps: loop.observability.taps && planOpts.taps === true,
      ...(loop.observability.controller
        ? {
            controller: {
              ...loop.observability.controller,
              port: port(loop.observability.controller.port),
            },
          }
        : {}),
    },
    nodes: loop.nodes.map((node) => {
      const dir = nodeDir(stateDir, node.id);
      const tools: NonNullable<InventoryNode['tools']> = {};
      if (node.gpus.some((g) => g.vendor === 'nvidia'))
        tools.nvidiaSmi = join(dir, 'bin', 'nvidia-smi');
      if (node.gpus.some((g) => g.vendor === 'amd')) tools.rocmSmi = join(dir, 'bin', 'rocm-smi');
      if (nginxPoolsOf(inv, node.id).length) {
        tools.nginxConf = join(nginxPrefix(stateDir, node.id), 'nginx.conf');
        tools.nginxUpstreamDir = join(nginxPrefix(stateDir, node.id), 'upstreams');
      }
      return {
        ...node,
        services: node.services.map((s) => ({ ...s, port: port(s.port) })),
        exporterPort: port(node.exporterPort),
        ...(Object.keys(tools).length ? { tools: { ...node.tools, ...tools } } : {}),
      };
    }),
  };
  const nodes: NodePlan[] = derived.nodes.map((node) => {
    const services = node.services.filter((s) => SIMULATED_KINDS.has(s.kind));
    const nginxPools = nginxPoolsOf(derived, node.id);
    return {
      node,
      dir: nodeDir(stateDir, node.id),
      services,
      nginxPools,
      idle: services.length === 0 && nginxPools.length === 0,
    };
  });
  return {
    derived,
    nodes,
    redisCount: nodes.reduce((n, p) => n + p.services.filter((s) => s.kind === 'redis').length, 0),
    nginxCount: nodes.filter((p) => p.nginxPools.length > 0).length,
  };
}

/** The pool the stream service sends engine traffic to: the first engine-hop pool. */
export function enginePool(inv: Inventory): Pool | undefined {
  return inv.routing.pools.find((p) => p.hop === 'engine');
}

export function isEngineKind(kind: string): kind is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(kind);
}
