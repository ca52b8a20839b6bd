// The components of the local stack. Each factory turns the (derived) inventory into the
// processes to run; adding a component is one factory here and one line in STACK_COMPONENTS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeAddress, observabilityNodes } from '../render/common';
import { resolveControllerUrl } from '../render/bundle';
import { TAP_NODE_FLAGS } from '../render/conventions';
import { runsTaps } from '../render/systemd';
import type { Inventory, InventoryNode, ServiceKind } from '../inventory/schema';
import type { StackLayout } from './layout';
import { REPO_ROOT } from './layout';

export interface ComponentSpec {
  name: string;
  kind: string;
  /** What a person opens; printed by `up` and `status`. */
  url: string;
  /** Answers 2xx once the component is ready. */
  health: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export interface StackContext {
  layout: StackLayout;
  inventory: Inventory;
  inventoryPath: string;
  sim: boolean;
  /** Divides alert windows and hold-downs so a simulated incident plays out in seconds. */
  timeScale: number;
  /** The simulator's control API (faults) when `sim`; the controller's drills call it. */
  simControl?: string;
}

/** Where the simulator's control API listens unless told otherwise (okome-sim's default). */
export const DEFAULT_SIM_CONTROL = '127.0.0.1:9800';

/** Where a node's component listens here: its loopback address (DESIGN.md §8). */
export function bindAddress(inv: Inventory, node: InventoryNode): string {
  return nodeAddress(inv, node.id, { loopback: true });
}

export function servicePort(node: InventoryNode, kind: ServiceKind, fallback: number): number {
  return node.services.find((s) => s.kind === kind)?.port ?? fallback;
}

export function prometheusUrl(inv: Inventory, node: InventoryNode): string {
  return `http://${bindAddress(inv, node)}:${servicePort(node, 'prometheus', 9090)}`;
}

export function alertmanagerUrl(inv: Inventory, node: InventoryNode): string {
  return `http://${bindAddress(inv, node)}:${servicePort(node, 'alertmanager', 9093)}`;
}

/** Alertmanager gossip port: the web port + 1, as Alertmanager's defaults (9093/9094). */
export function alertmanagerClusterAddress(inv: Inventory, node: InventoryNode): string {
  return `${bindAddress(inv, node)}:${servicePort(node, 'alertmanager', 9093) + 1}`;
}

/** The controller's URL on the loopback stack: the same one the rendered configs point at. */
export function controllerUrl(inv: Inventory): string {
  return resolveControllerUrl(inv, { loopback: true });
}

/** A package's built CLI, or undefined while that package has none. */
export function builtCli(pkg: string, file = 'cli.js'): string | undefined {
  const path = join(REPO_ROOT, pkg, 'dist', file);
  return existsSync(path) ? path : undefined;
}

export const prometheusComponents = (ctx: StackContext): ComponentSpec[] =>
  observabilityNodes(ctx.inventory).map((node) => {
    const url = prometheusUrl(ctx.inventory, node);
    return {
      name: `prometheus-${node.id}`,
      kind: 'prometheus',
      url,
      health: `${url}/-/ready`,
      command: 'prometheus',
      args: [
        `--config.file=${join(ctx.layout.config, 'prometheus', `${node.id}.yml`)}`,
        `--storage.tsdb.path=${join(ctx.layout.data, `prometheus-${node.id}`)}`,
        `--web.listen-address=${url.slice('http://'.length)}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=2d',
      ],
    };
  });

export const alertmanagerComponents = (ctx: StackContext): ComponentSpec[] => {
  const nodes = observabilityNodes(ctx.inventory);
  return nodes.map((node) => {
    const url = alertmanagerUrl(ctx.inventory, node);
    const peers = nodes
      .filter((n) => n !== node)
      .map((n) => `--cluster.peer=${alertmanagerClusterAddress(ctx.inventory, n)}`);
    return {
      name: `alertmanager-${node.id}`,
      kind: 'alertmanager',
      url,
      health: `${url}/-/ready`,
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${join(ctx.layout.config, 'alertmanager', 'alertmanager.yml')}`,
        `--storage.path=${join(ctx.layout.data, `alertmanager-${node.id}`)}`,
        `--web.listen-address=${url.slice('http://'.length)}`,
        `--cluster.listen-address=${alertmanagerClusterAddress(ctx.inventory, node)}`,
        ...peers,
        // Loopback peers find each other at once; the default settle wait only delays readiness.
        '--cluster.settle-timeout=2s',
      ],
    };
  });
};

/** The simulator runs first: the rest of the stack reads the inventory it derives. */
export function simulatorComponent(
  layout: StackLayout,
  inventoryPath: string,
  timeScale: number,
  controlListen = DEFAULT_SIM_CONTROL,
): { spec: ComponentSpec; derivedInventory: string } | undefined {
  const cli = builtCli('simulator');
  if (!cli) return undefined;
  const control = `http://${controlListen}`;
  return {
    derivedInventory: join(layout.simDir, 'inventory.yaml'),
    spec: {
      name: 'simulator',
      kind: 'simulator',
      url: `${control}/state`,
      health: `${control}/-/ready`,
      command: process.execPath,
      args: [
        cli,
        'up',
        '--inventory',
        inventoryPath,
        '--state-dir',
        layout.simDir,
        '--time-scale',
        String(timeScale),
        '--control-listen',
        controlListen,
        // The stack runs an exporter per node, so the inventory's taps have something listening.
        '--taps',
      ],
      startTimeoutMs: 90_000,
    },
  };
}

/** One okome-exporter per node that runs workloads (observability nodes only watch). */
export const exporterComponents = (ctx: StackContext): ComponentSpec[] => {
  const cli = builtCli('exporters');
  if (!cli) return [];
  return ctx.inventory.nodes
    .filter((n) => !n.roles.includes('observability'))
    .map((node) => {
      const url = `http://${bindAddress(ctx.inventory, node)}:${node.exporterPort}`;
      return {
        name: `exporter-${node.id}`,
        kind: 'exporter',
        url: `${url}/metrics`,
        health: `${url}/-/ready`,
        command: process.execPath,
        args: [
          ...(runsTaps(node) ? TAP_NODE_FLAGS : []),
          cli,
          '--inventory',
          ctx.inventoryPath,
          '--node',
          node.id,
          `--web.listen-address=${url.slice(7)}`,
        ],
      };
    });
};

export const controllerStateDir = (layout: StackLayout): string => join(layout.dir, 'controller');

export const controllerComponents = (ctx: StackContext): ComponentSpec[] => {
  const cli = builtCli('controller');
  const url = controllerUrl(ctx.inventory);
  const obs = observabilityNodes(ctx.inventory);
  if (!cli || !url || obs.length === 0) return [];
  // Hold-down before a drained backend returns: 60 s in production, scaled with the alerts.
  const holdDown = Math.max(1, Math.round(60 / ctx.timeScale));
  return [
    {
      name: 'controller',
      kind: 'controller',
      url,
      health: `${url}/-/ready`,
      command: process.execPath,
      args: [
        cli,
        '--inventory',
        ctx.inventoryPath,
        '--state-dir',
        controllerStateDir(ctx.layout),
        '--listen',
        url.slice('http://'.length),
        '--token-file',
        ctx.layout.tokenFile,
        '--prometheus',
        prometheusUrl(ctx.inventory, obs[0] as InventoryNode),
        ...obs.flatMap((n) => ['--alertmanager', alertmanagerUrl(ctx.inventory, n)]),
        '--hold-down',
        `${holdDown}s`,
      ],
      // Drill faults go to this stack's simulator (a second stack runs its own elsewhere).
      ...(ctx.sim && ctx.simControl
        ? { env: { OKOME_SIMULATOR_URL: `http://${ctx.simControl}` } }
        : {}),
    },
  ];
};

/** The plugin preview shell (Grafana is not installable here): its pages on the real stack. */
export const previewComponents = (ctx: StackContext): ComponentSpec[] => {
  const server = join(REPO_ROOT, 'grafana-plugin', 'preview', 'dist', 'server.js');
  const controller = controllerUrl(ctx.inventory);
  const [node] = observabilityNodes(ctx.inventory);
  if (!existsSync(server) || !node || !controller) return [];
  const url = `http://${bindAddress(ctx.inventory, node)}:${servicePort(node, 'grafana', 3000)}`;
  return [
    {
      name: 'plugin-preview',
      kind: 'preview',
      url: `${url}/a/okome-slo-app/topology`,
      health: `${url}/api/health`,
      command: process.execPath,
      args: [
        server,
        '--listen',
        url.slice('http://'.length),
        '--prometheus',
        prometheusUrl(ctx.inventory, node),
        '--controller',
        controller,
        '--controller-token-file',
        ctx.layout.tokenFile,
        '--settings-file',
        join(REPO_ROOT, 'grafana-plugin', 'provisioning', 'plugins', 'app.yaml'),
      ],
    },
  ];
};

/** Every component, in start order: a stage starts only after the one before is healthy. */
export const STACK_COMPONENTS: ((ctx: StackContext) => ComponentSpec[])[] = [
  prometheusComponents,
  alertmanagerComponents,
  exporterComponents,
  controllerComponents,
  previewComponents,
];
