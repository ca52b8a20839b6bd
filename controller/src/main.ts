// Wires the controller together: inventory, engine (state replay), topology, HTTP server.
import type { Server } from 'node:http';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import type { Actuators } from './actuators';
import { AlertmanagerClient } from './alertmanager';
import type { ControllerArgs } from './cli-args';
import { createDrillService } from './drills/wire';
import type { DrillService } from './drills/service';
import { Engine } from './engine';
import { createApp } from './http/server';
import { ControllerMetrics } from './metrics';
import { TopologyService } from './topology/service';

export interface RunningController {
  engine: Engine;
  drills: DrillService;
  server: Server;
  /** The address actually bound (port 0 → the chosen port). */
  url: string;
  close(): Promise<void>;
}

export async function startController(
  args: Omit<ControllerArgs, 'inventory'> & { inventory: string | Inventory },
  extra: {
    actuators?: Actuators;
    tickMs?: number;
    topologyTtlMs?: number;
    holderCheckMs?: number;
    holderGraceMs?: number;
  } = {},
): Promise<RunningController> {
  const inventory =
    typeof args.inventory === 'string'
      ? loadInventory(resolveInventoryPath(args.inventory))
      : args.inventory;
  const metrics = new ControllerMetrics();
  const topology = new TopologyService(
    inventory,
    args.prometheus,
    extra.topologyTtlMs ?? 5000,
    (ok) => metrics.promUp.set({}, ok ? 1 : 0),
  );
  const engine = new Engine({
    inventory,
    stateDir: args.stateDir,
    dryRun: args.dryRun,
    holdDownMs: args.holdDownMs,
    rateLimitCount: args.rateLimitCount,
    rateLimitWindowMs: args.rateLimitWindowMs,
    minHealthyPercent: args.minHealthyPercent,
    actuators: extra.actuators,
    alertmanager: new AlertmanagerClient(args.alertmanagers),
    health: (n) => topology.health(n),
    metrics,
    tickMs: extra.tickMs,
    // Seconds apart when hold-downs are time-scaled, at most every 30 s otherwise.
    holderCheckMs: extra.holderCheckMs ?? Math.min(30_000, Math.max(2000, args.holdDownMs)),
    holderGraceMs: extra.holderGraceMs,
  });
  const drills = createDrillService({
    inventory,
    engine,
    stateDir: args.stateDir,
    prometheus: args.prometheus,
    alertmanagers: args.alertmanagers,
    health: (n) => topology.health(n),
  });
  const app = createApp({ engine, topology, token: args.token, drills });
  // Listen first (so /-/ready can say "replaying"), then replay the state.
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(args.port, args.host, () => resolve(s));
    s.once('error', reject);
  });
  // Prime the health cache so the min-healthy guardrail knows about dead backends early.
  void topology.snapshot();
  await engine.start();
  // An unfinished drill (kill -9 mid-drill) is rolled back before any new one can start.
  await drills.replay();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : args.port;
  return {
    engine,
    drills,
    server,
    url: `http://${args.host === '0.0.0.0' ? '127.0.0.1' : args.host}:${port}`,
    async close() {
      await drills.stop();
      await engine.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
