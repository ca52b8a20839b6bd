// Lays the cluster out along the token path: ingress → cache/stream → engines, left to right;
// the gateway above as the control plane; the observability nodes apart, below. Pure geometry
// so the diagram is the same for every render and testable for every seed inventory.
import type { BackendState, PoolRouting, TopologyEdge, TopologyNode } from '../api/controllerTypes';

export type LaneId = 'ingress' | 'cache' | 'engine' | 'control' | 'observability' | 'other';

export const LANES: ReadonlyArray<{ id: LaneId; label: string; roles: string[] }> = [
  { id: 'ingress', label: 'Ingress', roles: ['ingress'] },
  { id: 'cache', label: 'Cache / stream', roles: ['cache', 'stream'] },
  {
    id: 'engine',
    label: 'Engines',
    roles: ['gpu-core', 'gpu-speculative', 'gpu-worker', 'cpu-worker'],
  },
  { id: 'control', label: 'Control plane', roles: ['gateway'] },
  { id: 'observability', label: 'Observability', roles: ['observability'] },
];

export function laneOf(node: Pick<TopologyNode, 'roles'>): LaneId {
  for (const lane of LANES) if (node.roles.some((r) => lane.roles.includes(r))) return lane.id;
  return 'other';
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface LaidOutEdge {
  from: string;
  to: string;
  pool?: string;
  state: BackendState;
  path: string;
}
export interface Layout {
  width: number;
  height: number;
  lanes: Array<{ id: LaneId; label: string; box: Box }>;
  nodes: Map<string, Box & { lane: LaneId }>;
  edges: LaidOutEdge[];
}

export const CARD = { w: 252, gapX: 72, gapY: 20, pad: 16, header: 28, perColumn: 4 };

/** Card height by lane: engines show GPU memory per engine and two numbers, caches one. */
export const CARD_HEIGHT: Record<LaneId, number> = {
  engine: 196,
  cache: 120,
  ingress: 92,
  control: 92,
  observability: 92,
  other: 120,
};

/** Edges from the controller, or, when it sends none, frontends → backends of every pool. */
export function edgesOf(edges: TopologyEdge[], pools: PoolRouting[]): TopologyEdge[] {
  // Pool edges carry routing state; the role-chain ("path") edges only when there are no pools,
  // or the gateway's control-plane links would cross every lane.
  const poolEdges = edges.filter((e) => e.kind !== 'path');
  if (poolEdges.length > 0) return poolEdges;
  if (edges.length > 0 && pools.length === 0) return edges;
  const out: TopologyEdge[] = [];
  for (const p of pools) {
    for (const f of p.frontends) {
      for (const b of p.backends) out.push({ from: f, to: b.node, pool: p.name, hop: p.hop });
    }
  }
  return out;
}

function stateOf(edge: TopologyEdge, pools: PoolRouting[]): BackendState {
  const pool = pools.find((p) => p.name === edge.pool);
  return pool?.backends.find((b) => b.node === edge.to)?.state ?? 'enabled';
}

export function layoutTopology(
  nodes: TopologyNode[],
  edges: TopologyEdge[],
  pools: PoolRouting[],
): Layout {
  const { w, gapX, gapY, pad, header, perColumn } = CARD;
  const byLane = new Map<LaneId, TopologyNode[]>();
  for (const n of nodes) {
    const lane = laneOf(n);
    byLane.set(lane, [...(byLane.get(lane) ?? []), n]);
  }
  const placed = new Map<string, Box & { lane: LaneId }>();
  const lanes: Layout['lanes'] = [];

  // Token-path columns; a lane with many nodes wraps into several sub-columns.
  const pathLanes: LaneId[] = ['ingress', 'cache', 'engine', 'other'];
  const present = pathLanes.filter((l) => byLane.get(l)?.length);
  // Lanes side by side share one band; centre each lane's stack of cards in it.
  const pathBand = Math.max(
    CARD_HEIGHT.ingress,
    ...present.map((l) => {
      const n = Math.min(perColumn, byLane.get(l)?.length ?? 0);
      return n * CARD_HEIGHT[l] + (n - 1) * gapY;
    }),
  );
  const bandHeight = (inner: number) => header + inner + pad;

  const control = byLane.get('control') ?? [];
  const observability = byLane.get('observability') ?? [];
  let y = pad;
  const controlY = y;
  if (control.length) y += bandHeight(CARD_HEIGHT.control) + gapY;
  const pathY = y;
  let x = pad;
  for (const lane of pathLanes) {
    const members = byLane.get(lane) ?? [];
    if (!members.length) continue;
    const cols = Math.ceil(members.length / perColumn);
    const laneW = cols * w + (cols - 1) * 24;
    const rowsHere = Math.min(perColumn, members.length);
    const h = CARD_HEIGHT[lane];
    const offset = (pathBand - (rowsHere * h + (rowsHere - 1) * gapY)) / 2;
    members.forEach((n, i) => {
      const col = Math.floor(i / perColumn);
      const row = i % perColumn;
      placed.set(n.id, {
        lane,
        x: x + col * (w + 24),
        y: pathY + header + offset + row * (h + gapY),
        w,
        h,
      });
    });
    const label = LANES.find((l) => l.id === lane)?.label ?? 'Other';
    lanes.push({ id: lane, label, box: { x, y: pathY, w: laneW, h: bandHeight(pathBand) } });
    x += laneW + gapX;
  }
  const pathWidth = Math.max(x - gapX, pad + w);
  y = pathY + bandHeight(pathBand) + gapY;

  const band = (lane: LaneId, members: TopologyNode[], top: number) => {
    const total = members.length * w + (members.length - 1) * 24;
    let bx = pad + Math.max(0, (pathWidth - pad - total) / 2);
    members.forEach((n) => {
      placed.set(n.id, { lane, x: bx, y: top + header, w, h: CARD_HEIGHT[lane] });
      bx += w + 24;
    });
    const label = LANES.find((l) => l.id === lane)?.label ?? lane;
    lanes.push({
      id: lane,
      label,
      box: { x: pad, y: top, w: pathWidth - pad, h: bandHeight(CARD_HEIGHT[lane]) },
    });
  };
  if (control.length) band('control', control, controlY);
  if (observability.length) {
    band('observability', observability, y);
    y += bandHeight(CARD_HEIGHT.observability) + gapY;
  }

  const width = Math.max(pathWidth, ...[...placed.values()].map((b) => b.x + b.w)) + pad;
  const laidEdges: LaidOutEdge[] = [];
  for (const e of edgesOf(edges, pools)) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b || e.from === e.to) continue;
    laidEdges.push({ ...e, state: stateOf(e, pools), path: edgePath(a, b) });
  }
  return { width, height: y, lanes, nodes: placed, edges: laidEdges };
}

/** Smooth curve from the right side of `a` to the left side of `b` (or vertical when stacked). */
export function edgePath(a: Box, b: Box): string {
  if (b.x > a.x + a.w) {
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2;
    const x2 = b.x;
    const y2 = b.y + b.h / 2;
    const dx = (x2 - x1) / 2;
    return `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
  }
  const down = b.y > a.y;
  const x1 = a.x + a.w / 2;
  const y1 = down ? a.y + a.h : a.y;
  const x2 = b.x + b.w / 2;
  const y2 = down ? b.y : b.y + b.h;
  const dy = (y2 - y1) / 2;
  return `M ${x1} ${y1} C ${x1} ${y1 + dy}, ${x2} ${y2 - dy}, ${x2} ${y2}`;
}
