// file_sd target groups: which address each scrape job reaches, with the labels every series
// from it carries (cluster, node, role). Prometheus re-reads these files without a restart,
// so the launcher and the simulator can rewrite them while the pair runs.
import type { Inventory, InventoryNode, ServiceKind } from '../inventory/schema';
import type { AddressOptions } from './common';
import { exporterNodes, nodeAddress, observabilityNodes } from './common';
import { JOBS, LABEL, PROBER_LABEL } from './conventions';
import type { ProbeJob, TargetJob } from './conventions';

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

function group(
  inv: Inventory,
  node: InventoryNode,
  port: number,
  opts: AddressOptions,
  role: string,
): TargetGroup {
  return {
    targets: [`${nodeAddress(inv, node.id, opts)}:${port}`],
    labels: { [LABEL.cluster]: inv.cluster, [LABEL.node]: node.id, [LABEL.role]: role },
  };
}

function serviceGroups(inv: Inventory, kind: ServiceKind, opts: AddressOptions): TargetGroup[] {
  return observabilityNodes(inv).flatMap((node) =>
    node.services
      .filter((s) => s.kind === kind)
      .map((s) => group(inv, node, s.port, opts, 'observability')),
  );
}

/** Service kinds each probe job probes, and how a target of that kind is written. */
const PROBED: Record<ProbeJob, { kind: ServiceKind; scheme: string }> = {
  probeOpenai: { kind: 'vllm', scheme: 'http' },
  probeOllama: { kind: 'ollama', scheme: 'http' },
  probeRedis: { kind: 'redis', scheme: 'redis' },
};

/**
 * One group per probed service: the target is the service's own port (not its tap: a probe
 * is the SLI of the service, and through a tap it would count as hop traffic). The probe runs
 * on the probed node's own exporter — every node that serves an engine or a cache runs one,
 * while observability nodes may not (the local stack runs none there) — so a probe result
 * also says the node is reachable from Prometheus, as a scrape of that node would.
 */
function probeGroups(inv: Inventory, job: ProbeJob, opts: AddressOptions): TargetGroup[] {
  const { kind, scheme } = PROBED[job];
  const probers = new Set(exporterNodes(inv).map((n) => n.id));
  return inv.nodes
    .filter((n) => probers.has(n.id))
    .flatMap((node) =>
      node.services
        .filter((s) => s.kind === kind)
        .map((s) => {
          const address = nodeAddress(inv, node.id, opts);
          return {
            targets: [`${scheme}://${address}:${s.port}`],
            labels: {
              [LABEL.cluster]: inv.cluster,
              [LABEL.node]: node.id,
              [LABEL.role]: node.roles[0] as string,
              service: s.name,
              [PROBER_LABEL]: `${address}:${node.exporterPort}`,
            },
          };
        }),
    );
}

/** Target groups of one scrape job; one group per target so each keeps its own node label. */
export function targetGroups(
  inv: Inventory,
  job: TargetJob,
  opts: AddressOptions = {},
): TargetGroup[] {
  switch (job) {
    case 'exporter':
      // `role` is the node's first (primary) role: stable, and one value per node.
      return exporterNodes(inv).map((n) =>
        group(inv, n, n.exporterPort, opts, n.roles[0] as string),
      );
    case 'prometheus':
      return serviceGroups(inv, 'prometheus', opts);
    case 'alertmanager':
      return serviceGroups(inv, 'alertmanager', opts);
    case 'controller': {
      const ctl = inv.observability.controller;
      if (!ctl) return [];
      const node = inv.nodes.find((n) => n.id === ctl.node);
      return node ? [group(inv, node, ctl.port, opts, 'controller')] : [];
    }
    case 'probeOpenai':
    case 'probeOllama':
    case 'probeRedis':
      return probeGroups(inv, job, opts);
  }
}

/** Scrape jobs this inventory has targets for, in a stable order. */
export function targetJobs(inv: Inventory): TargetJob[] {
  return (Object.keys(JOBS) as TargetJob[]).filter((job) => targetGroups(inv, job).length > 0);
}

/** The JSON text of one job's file_sd target file (`prometheus/targets/<file>`). */
export function renderFileSdTargets(
  inv: Inventory,
  job: TargetJob,
  opts: AddressOptions = {},
): string {
  return `${JSON.stringify(targetGroups(inv, job, opts), null, 2)}\n`;
}

/** `host:port` of every Alertmanager on every observability node (for `alerting.alertmanagers`). */
export function alertmanagerTargets(inv: Inventory, opts: AddressOptions = {}): string[] {
  return targetGroups(inv, 'alertmanager', opts).flatMap((g) => g.targets);
}

/** Base URL of the okome-controller, from `observability.controller`. */
export function controllerUrl(inv: Inventory, opts: AddressOptions = {}): string | undefined {
  const [g] = targetGroups(inv, 'controller', opts);
  return g ? `http://${g.targets[0]}` : undefined;
}
