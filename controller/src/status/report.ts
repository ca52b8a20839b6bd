// okome-status's report (pure): topology → a summary for scripts and a table for people,
// in the spirit of seed 001's cluster-status.sh.
import type { NodeStatus } from '../topology/health';

export interface TopologyPool {
  name: string;
  actuator: string;
  frontends: string[];
  backends: {
    node: string;
    state: string;
    why: string;
    since: string | null;
    pendingRevertAt: string | null;
  }[];
}

export interface TopologyDoc {
  cluster: string;
  stale: boolean;
  updatedAt: string | null;
  error?: string;
  nodes: NodeStatus[];
  pools: TopologyPool[];
  killSwitch?: { enabled: boolean; since: string; reason: string };
  dryRun?: boolean;
}

export interface StatusReport {
  cluster: string;
  /** HEALTHY when every node is, UNAVAILABLE when any node is, else DEGRADED. */
  status: 'HEALTHY' | 'DEGRADED' | 'UNAVAILABLE';
  healthy: number;
  total: number;
  stale: boolean;
  updatedAt: string | null;
  error?: string;
  killSwitch: boolean;
  dryRun: boolean;
  nodes: (NodeStatus & { routing: { pool: string; state: string; why: string }[] })[];
  pools: TopologyPool[];
}

export function buildReport(doc: TopologyDoc): StatusReport {
  const nodes = doc.nodes.map((n) => ({
    ...n,
    routing: doc.pools.flatMap((p) =>
      p.backends
        .filter((b) => b.node === n.id)
        .map((b) => ({ pool: p.name, state: b.state, why: b.why })),
    ),
  }));
  const healthy = nodes.filter((n) => n.health === 'HEALTHY').length;
  const status = nodes.some((n) => n.health === 'UNAVAILABLE')
    ? 'UNAVAILABLE'
    : healthy === nodes.length
      ? 'HEALTHY'
      : 'DEGRADED';
  return {
    cluster: doc.cluster,
    status,
    healthy,
    total: nodes.length,
    stale: doc.stale,
    updatedAt: doc.updatedAt,
    ...(doc.error ? { error: doc.error } : {}),
    killSwitch: doc.killSwitch?.enabled ?? false,
    dryRun: doc.dryRun ?? false,
    nodes,
    pools: doc.pools,
  };
}

const MARK: Record<string, string> = {
  HEALTHY: '✓',
  DEGRADED: '!',
  UNAVAILABLE: '✗',
  MAINTENANCE: '~',
  UNKNOWN: '?',
};

function bytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)}G` : `${Math.round(n / 2 ** 20)}M`;
}

function numbers(n: NodeStatus): string {
  const parts: string[] = [];
  const gpu = Object.entries(n.numbers.gpuMemoryByEngine);
  if (gpu.length) parts.push(`gpu ${gpu.map(([e, b]) => `${e} ${bytes(b)}`).join(' ')}`);
  if (n.numbers.tokensPerSecond !== undefined)
    parts.push(`${n.numbers.tokensPerSecond.toFixed(1)} tok/s`);
  if (n.numbers.ttftP95Seconds !== undefined)
    parts.push(`ttft p95 ${Math.round(n.numbers.ttftP95Seconds * 1000)} ms`);
  if (n.numbers.cacheHitRatio !== undefined)
    parts.push(`cache hit ${(n.numbers.cacheHitRatio * 100).toFixed(0)} %`);
  return parts.join(', ');
}

export function formatReport(r: StatusReport): string {
  const idW = Math.max(4, ...r.nodes.map((n) => n.id.length));
  const roleW = Math.max(5, ...r.nodes.map((n) => n.roles.join(',').length));
  const lines = [`=== ${r.cluster} cluster status ===`];
  if (r.stale)
    lines.push(
      `(stale: ${r.error ?? 'Prometheus unreachable'}; last data ${r.updatedAt ?? 'never'})`,
    );
  lines.push('', 'NODES:');
  for (const n of r.nodes) {
    const out = n.routing.filter((x) => x.state !== 'enabled').map((x) => `${x.pool}: ${x.state}`);
    const detail = [numbers(n), ...out, ...n.reasons].filter(Boolean).join('; ');
    lines.push(
      `  ${n.id.padEnd(idW)}  ${MARK[n.health] ?? '?'} ${n.health.padEnd(11)}  ${n.roles.join(',').padEnd(roleW)}  ${detail}`.trimEnd(),
    );
  }
  lines.push('', 'ROUTING:');
  for (const p of r.pools) {
    const bs = p.backends.map((b) =>
      b.state === 'enabled'
        ? b.node
        : `${b.node} ${b.state.toUpperCase()}${b.pendingRevertAt ? ` (back at ${b.pendingRevertAt})` : ''}`,
    );
    lines.push(
      `  ${p.name.padEnd(10)} ${p.actuator} on ${p.frontends.join(', ')}: ${bs.join(', ')}`,
    );
  }
  lines.push(
    '',
    `KILL SWITCH:     ${r.killSwitch ? 'ON (automatic actions stopped)' : 'off'}${r.dryRun ? '   DRY RUN' : ''}`,
  );
  lines.push(`CLUSTER STATUS:  ${r.status} (${r.healthy}/${r.total} nodes healthy)`);
  return lines.join('\n') + '\n';
}
