// Key numbers per node from the topology queries (queries.ts nodeQueries), by the `node` label.
import type { Sample } from '../api/prometheus';
import { LABEL } from './conventions';

export interface EngineMemory {
  engine: string;
  usedBytes?: number;
  budgetBytes?: number;
}

export interface NodeMetrics {
  gpu: EngineMemory[];
  tokensPerSecond?: number;
  ttftP95?: number;
  cacheHitRatio?: number;
  /** min(up) over the node's scrape targets: 0 when one of them is down. */
  up?: number;
}

export type NodeQueryResults = Partial<
  Record<'gpuUsed' | 'gpuBudget' | 'tokensPerSecond' | 'ttftP95' | 'cacheHitRatio' | 'up', Sample[]>
>;

export function nodeMetricsFrom(results: NodeQueryResults): Map<string, NodeMetrics> {
  const out = new Map<string, NodeMetrics>();
  const get = (node: string): NodeMetrics => {
    let m = out.get(node);
    if (!m) {
      m = { gpu: [] };
      out.set(node, m);
    }
    return m;
  };
  const engine = (m: NodeMetrics, name: string): EngineMemory => {
    let e = m.gpu.find((g) => g.engine === name);
    if (!e) {
      e = { engine: name };
      m.gpu.push(e);
    }
    return e;
  };
  for (const s of results.gpuUsed ?? []) {
    const node = s.labels[LABEL.node];
    if (node) engine(get(node), s.labels[LABEL.engine] ?? '?').usedBytes = s.value;
  }
  for (const s of results.gpuBudget ?? []) {
    const node = s.labels[LABEL.node];
    if (node) engine(get(node), s.labels[LABEL.engine] ?? '?').budgetBytes = s.value;
  }
  const scalar = (
    list: Sample[] | undefined,
    key: 'tokensPerSecond' | 'ttftP95' | 'cacheHitRatio' | 'up',
  ) => {
    for (const s of list ?? []) {
      const node = s.labels[LABEL.node];
      if (node && Number.isFinite(s.value)) get(node)[key] = s.value;
    }
  };
  scalar(results.tokensPerSecond, 'tokensPerSecond');
  scalar(results.ttftP95, 'ttftP95');
  scalar(results.cacheHitRatio, 'cacheHitRatio');
  scalar(results.up, 'up');
  for (const m of out.values()) m.gpu.sort((a, b) => a.engine.localeCompare(b.engine));
  return out;
}
