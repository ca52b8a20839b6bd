// Cached node health from Prometheus. A failed refresh never throws: the last known snapshot is
// returned marked stale, so the topology API answers 200 while Prometheus is down.
import type { Inventory } from '@okome/provisioning';
import { TOPOLOGY_QUERIES } from '../conventions';
import { computeNodeStatus } from './health';
import type { NodeHealth, NodeStatus, QueryName, QueryResults } from './health';
import { instantQuery } from './prometheus';

export interface HealthSnapshot {
  nodes: NodeStatus[];
  /** When the data was read from Prometheus (ISO), or undefined when never. */
  updatedAt?: string;
  stale: boolean;
  error?: string;
}

export class TopologyService {
  private last?: HealthSnapshot;
  private lastAt = 0;
  private inflight?: Promise<HealthSnapshot>;

  constructor(
    private readonly inventory: Inventory,
    private readonly prometheusUrl: string | undefined,
    private readonly ttlMs = 5000,
    private readonly onRefresh: (ok: boolean) => void = () => undefined,
  ) {}

  /** Last known health of a node (no I/O), for the guardrails. */
  health(node: string): NodeHealth | undefined {
    const h = this.last?.nodes.find((n) => n.id === node)?.health;
    return h === 'UNKNOWN' ? undefined : h;
  }

  async snapshot(): Promise<HealthSnapshot> {
    if (this.last && Date.now() - this.lastAt < this.ttlMs) return this.last;
    this.inflight ??= this.refresh().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async refresh(): Promise<HealthSnapshot> {
    const url = this.prometheusUrl;
    if (!url) return this.fallback('no --prometheus URL configured');
    const names = Object.keys(TOPOLOGY_QUERIES) as QueryName[];
    const settled = await Promise.allSettled(
      names.map((n) => instantQuery(url, TOPOLOGY_QUERIES[n])),
    );
    const results: QueryResults = {};
    const errors: string[] = [];
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') results[names[i] as QueryName] = r.value;
      else errors.push((r.reason as Error).message);
    });
    if (results.up === undefined) {
      this.onRefresh(false);
      return this.fallback(errors[0] ?? 'Prometheus did not answer');
    }
    this.onRefresh(true);
    this.last = {
      nodes: computeNodeStatus(this.inventory, results),
      updatedAt: new Date().toISOString(),
      stale: false,
      ...(errors.length ? { error: errors.join('; ') } : {}),
    };
    this.lastAt = Date.now();
    return this.last;
  }

  private fallback(error: string): HealthSnapshot {
    // Retry soon, but not on every request while Prometheus is down.
    this.lastAt = Date.now();
    const nodes = this.last?.nodes ?? computeNodeStatus(this.inventory, {});
    this.last = { nodes, updatedAt: this.last?.updatedAt, stale: true, error };
    return this.last;
  }
}
