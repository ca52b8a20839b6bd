// The routing table as the API shows it: every pool, every backend, with state and why.
import type { BackendState } from '@okome/provisioning';
import type { Engine } from '../engine';

export interface BackendView {
  node: string;
  service: string;
  weight: number;
  backup: boolean;
  state: BackendState;
  why: string;
  since: string | null;
  actor: string | null;
  manual: boolean;
  holders: string[];
  pendingRevertAt: string | null;
}

export interface PoolView {
  name: string;
  hop: string;
  actuator: string;
  frontends: string[];
  minHealthy: number;
  backends: BackendView[];
}

export function routingView(engine: Engine): {
  pools: PoolView[];
  dryRun: boolean;
  killSwitch: ReturnType<Engine['snapshot']>['killSwitch'];
} {
  const state = engine.snapshot();
  const pools = engine.inventory.routing.pools.map((pool) => ({
    name: pool.name,
    hop: pool.hop,
    actuator: pool.actuator,
    frontends: [...pool.frontends],
    minHealthy: pool.minHealthy,
    backends: pool.backends.map((b): BackendView => {
      const rec = state.routing[pool.name]?.[b.node];
      const revert = state.pendingReverts.find((r) => r.pool === pool.name && r.backend === b.node);
      return {
        node: b.node,
        service: b.service,
        weight: b.weight,
        backup: b.backup,
        state: rec?.state ?? 'enabled',
        why: rec?.why ?? 'in the inventory',
        since: rec?.since ?? null,
        actor: rec?.actor ?? null,
        manual: rec?.manual ?? false,
        holders: rec?.holders ?? [],
        pendingRevertAt: revert ? new Date(revert.dueAt).toISOString() : null,
      };
    }),
  }));
  return { pools, dryRun: engine.dryRun, killSwitch: state.killSwitch };
}
