// Node health from Prometheus samples (pure): up, the node's service signals (probes and the
// service collectors' *_up), other collectors' *_up, memory > 90 %, firing alerts.
// Seed 004's states; UNKNOWN only when Prometheus has never answered about the node.
import type { HealthState, Inventory, InventoryNode } from '@okome/provisioning';
import { LABEL_BACKEND, LABEL_NODE, MEMORY_DEGRADED_RATIO } from '../conventions';
import type { TOPOLOGY_QUERIES } from '../conventions';
import type { Sample } from './prometheus';

export type NodeHealth = HealthState | 'UNKNOWN';
export type QueryName = keyof typeof TOPOLOGY_QUERIES;
export type QueryResults = Partial<Record<QueryName, Sample[]>>;

export interface NodeNumbers {
  /** engine → bytes of GPU memory in use. */
  gpuMemoryByEngine: Record<string, number>;
  tokensPerSecond?: number;
  cacheHitRatio?: number;
  ttftP95Seconds?: number;
  memoryRatio?: number;
}

export interface NodeStatus {
  id: string;
  hostname: string;
  address: string;
  roles: string[];
  health: NodeHealth;
  /** Why the node is not HEALTHY, one phrase each. */
  reasons: string[];
  firingAlerts: string[];
  numbers: NodeNumbers;
}

const forNode = (samples: Sample[] | undefined, node: string): Sample[] =>
  (samples ?? []).filter((s) => s.metric[LABEL_NODE] === node);

/** One series that says whether one of the node's services answers. */
interface ServiceSignal {
  sample: Sample;
  what: string;
  up: boolean;
}

/**
 * The node's service signals: each probe of one of its services (`probe_success`, labelled with
 * the probed node and service) and each collector named after a service kind the node runs
 * (`ollama_up` on an Ollama node, `redis_up` on a cache). The exporter's own `up` is not one: it
 * runs beside the services, so a node whose engines are all gone still has a scrapable exporter.
 */
function serviceSignals(node: InventoryNode, results: QueryResults): ServiceSignal[] {
  const kinds = new Set<string>(node.services.map((s) => s.kind));
  const probes = forNode(results.probes, node.id).map((sample) => ({
    sample,
    what: `probe of ${sample.metric.service ?? sample.metric.instance ?? 'a service'} failing`,
    up: sample.value === 1,
  }));
  const collectors = forNode(results.collectorsUp, node.id)
    .filter((sample) => kinds.has((sample.metric.__name__ ?? '').replace(/_up$/, '')))
    .map((sample) => ({
      sample,
      what: `${sample.metric.__name__} = 0`,
      up: sample.value !== 0,
    }));
  return [...probes, ...collectors];
}

const finite = (v: number | undefined): number | undefined =>
  v !== undefined && Number.isFinite(v) ? v : undefined;

export function computeNodeStatus(inv: Inventory, results: QueryResults): NodeStatus[] {
  return inv.nodes.map((node) => {
    const reasons: string[] = [];
    let health: NodeHealth = 'HEALTHY';
    const degrade = (why: string): void => {
      reasons.push(why);
      if (health === 'HEALTHY') health = 'DEGRADED';
    };

    const up = forNode(results.up, node.id);
    if (results.up === undefined) health = 'UNKNOWN';
    else if (up.length === 0) {
      health = 'UNKNOWN';
      reasons.push('no scrape targets in Prometheus');
    } else if (up.every((s) => s.value === 0)) {
      health = 'UNAVAILABLE';
      reasons.push(`all ${up.length} scrape target(s) down`);
    } else {
      for (const s of up.filter((x) => x.value === 0))
        degrade(
          `target ${s.metric.job ?? ''} ${s.metric.instance ?? ''} down`.replace(/\s+/g, ' '),
        );
    }

    // Every service of the node failing is an outage even while its exporter still answers
    // (a `down` fault, an engine host whose inference processes all died); some is degradation.
    const signals = health === 'UNAVAILABLE' ? [] : serviceSignals(node, results);
    const failing = signals.filter((x) => !x.up);
    if (signals.length > 0 && failing.length === signals.length) {
      health = 'UNAVAILABLE';
      reasons.push(
        `all ${signals.length} service signal(s) down: ${failing.map((x) => x.what).join(', ')}`,
      );
    } else for (const x of failing) degrade(x.what);

    const counted = new Set(signals.map((x) => x.sample));
    for (const s of forNode(results.collectorsUp, node.id))
      if (s.value === 0 && health !== 'UNAVAILABLE' && !counted.has(s))
        degrade(`${s.metric.__name__} = 0`);

    const memory = Math.max(
      ...[...forNode(results.hostMemory, node.id), ...forNode(results.gpuMemory, node.id)].map(
        (s) => s.value,
      ),
      -Infinity,
    );
    if (memory > MEMORY_DEGRADED_RATIO && health !== 'UNAVAILABLE')
      degrade(`memory ${(memory * 100).toFixed(0)} % > ${MEMORY_DEGRADED_RATIO * 100} %`);

    const firing = (results.alerts ?? []).filter(
      (s) => s.metric[LABEL_NODE] === node.id || s.metric[LABEL_BACKEND] === node.id,
    );
    const firingAlerts = [...new Set(firing.map((s) => s.metric.alertname ?? 'unknown'))].sort();
    if (firingAlerts.length && health !== 'UNAVAILABLE')
      degrade(`firing: ${firingAlerts.join(', ')}`);

    if (node.maintenance) {
      health = 'MAINTENANCE';
      reasons.unshift('maintenance flag set in the inventory');
    }

    const gpuMemoryByEngine: Record<string, number> = {};
    for (const s of forNode(results.gpuMemoryByEngine, node.id))
      if (s.metric.engine) gpuMemoryByEngine[s.metric.engine] = s.value;
    const one = (q: QueryName): number | undefined =>
      finite(forNode(results[q], node.id)[0]?.value);
    return {
      id: node.id,
      hostname: node.hostname,
      address: node.address,
      roles: [...node.roles],
      health,
      reasons,
      firingAlerts,
      numbers: {
        gpuMemoryByEngine,
        tokensPerSecond: one('tokensPerSecond'),
        cacheHitRatio: one('cacheHitRatio'),
        ttftP95Seconds: one('ttftP95'),
        memoryRatio: Number.isFinite(memory) ? memory : undefined,
      },
    };
  });
}

/** Edges along the token path: each pool's frontends → backends, then the role chain. */
export interface Edge {
  from: string;
  to: string;
  kind: 'pool' | 'path';
  pool?: string;
}

const PATH_ROLES = [
  ['ingress'],
  ['gateway'],
  ['cache'],
  ['gpu-core', 'gpu-speculative', 'gpu-worker'],
];

export function tokenPathEdges(inv: Inventory): Edge[] {
  const edges: Edge[] = [];
  const seen = new Set<string>();
  const add = (e: Edge): void => {
    const k = `${e.from}>${e.to}`;
    if (seen.has(k) || e.from === e.to) return;
    seen.add(k);
    edges.push(e);
  };
  for (const pool of inv.routing.pools)
    for (const f of pool.frontends)
      for (const b of pool.backends) add({ from: f, to: b.node, kind: 'pool', pool: pool.name });
  const tiers = PATH_ROLES.map((roles) =>
    inv.nodes.filter((n) => n.roles.some((r) => roles.includes(r))).map((n) => n.id),
  ).filter((t) => t.length > 0);
  for (let i = 0; i + 1 < tiers.length; i++)
    for (const from of tiers[i] as string[])
      for (const to of tiers[i + 1] as string[]) add({ from, to, kind: 'path' });
  return edges;
}
