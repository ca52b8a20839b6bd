// What the plugin reads from okome-controller's topology and routing API (DESIGN.md §6).
// parseTopology() is the single place that maps the wire format onto these types.

/** The inventory's four states, plus UNKNOWN while Prometheus has said nothing about a node. */
export const HEALTH_STATES = [
  'HEALTHY',
  'DEGRADED',
  'UNAVAILABLE',
  'MAINTENANCE',
  'UNKNOWN',
] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export const BACKEND_STATES = ['enabled', 'drain', 'disabled'] as const;
export type BackendState = (typeof BACKEND_STATES)[number];

export interface NodeService {
  name: string;
  kind: string;
  port?: number;
}

export interface GpuBudget {
  engine: string;
  memoryMiB: number;
}

export interface NodeGpu {
  index: number;
  model?: string;
  memoryMiB?: number;
  uuid?: string;
  budgets: GpuBudget[];
}

export interface TopologyNode {
  id: string;
  hostname: string;
  roles: string[];
  health: HealthState;
  /** Why the node is not HEALTHY, as the controller explains it. */
  reasons: string[];
  services: NodeService[];
  gpus: NodeGpu[];
  description?: string;
  address?: string;
  firingAlerts: string[];
  /** The controller's own reading of the key numbers (used when Prometheus is not reachable). */
  numbers?: ControllerNumbers;
}

export interface ControllerNumbers {
  gpuMemoryByEngine: Record<string, number>;
  tokensPerSecond?: number;
  cacheHitRatio?: number;
  ttftP95Seconds?: number;
}

export interface TopologyEdge {
  from: string;
  to: string;
  pool?: string;
  hop?: string;
  /** pool: a routing pool's frontend → backend; path: the role chain of the token path. */
  kind?: 'pool' | 'path';
}

export interface PoolBackend {
  node: string;
  service?: string;
  state: BackendState;
  weight?: number;
  backup?: boolean;
  /** Why the backend is not enabled: an alert name or a free-text reason. */
  reason?: string;
  alert?: string;
  /** ISO time of the last change. */
  since?: string;
  /** Who made the change: alert:<fingerprint> | user:<name> | drill:<id> | revert:<fingerprint>. */
  actor?: string;
  /** ISO time the controller will put the backend back (after the alert resolved). */
  pendingRevertAt?: string;
}

export interface PoolRouting {
  name: string;
  hop?: string;
  frontends: string[];
  backends: PoolBackend[];
}

export interface IncidentAction {
  pool?: string;
  backend?: string;
  action: string;
  alert?: string;
  reason?: string;
  since?: string;
  status?: string;
}

export interface HopBudgetSpec {
  hop: string;
  signal: string;
  thresholdSeconds: number;
  quantile: number;
  objective: number;
  node?: string;
}

export interface Topology {
  cluster: string;
  generatedAt?: string;
  /** The controller could not refresh health from Prometheus; states are the last known. */
  stale?: boolean;
  staleReason?: string;
  killSwitch?: boolean;
  dryRun?: boolean;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  pools: PoolRouting[];
  actions: IncidentAction[];
  budgets: HopBudgetSpec[];
  activeDrill?: { id: string; scenario?: string; phase?: string };
}
