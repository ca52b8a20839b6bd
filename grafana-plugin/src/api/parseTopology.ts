// Maps the controller's /api/v1/topology (and /routing) JSON onto the plugin's types. Lenient on
// optional fields, strict on what the page cannot draw without: a bad payload is an error that
// names the field, never a half-drawn diagram.
import { BACKEND_STATES, HEALTH_STATES } from './controllerTypes';
import type {
  BackendState,
  HealthState,
  HopBudgetSpec,
  IncidentAction,
  NodeGpu,
  PoolBackend,
  PoolRouting,
  Topology,
  TopologyEdge,
  TopologyNode,
} from './controllerTypes';

export class TopologyFormatError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`controller topology ${path}: ${detail}`);
    this.name = 'TopologyFormatError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function arr(v: unknown, path: string, required = false): unknown[] {
  if (v === undefined || v === null) {
    if (required) throw new TopologyFormatError(path, 'missing (expected an array)');
    return [];
  }
  if (!Array.isArray(v)) throw new TopologyFormatError(path, 'not an array');
  return v;
}

function reqStr(o: Obj, key: string, path: string): string {
  const v = str(o[key]);
  if (v === undefined) throw new TopologyFormatError(`${path}.${key}`, 'missing or not a string');
  return v;
}

/** Accepts the states as the controller or an actuator may spell them. */
export function parseHealth(v: unknown, path: string): HealthState {
  const s = typeof v === 'string' ? v.toUpperCase() : '';
  if ((HEALTH_STATES as readonly string[]).includes(s)) return s as HealthState;
  throw new TopologyFormatError(
    path,
    `unknown health ${JSON.stringify(v)} (expected one of ${HEALTH_STATES.join(', ')})`,
  );
}

const STATE_ALIASES: Record<string, BackendState> = {
  enabled: 'enabled',
  enable: 'enabled',
  ready: 'enabled',
  up: 'enabled',
  drain: 'drain',
  drained: 'drain',
  draining: 'drain',
  disabled: 'disabled',
  disable: 'disabled',
  maint: 'disabled',
  down: 'disabled',
};

export function parseBackendState(v: unknown, path: string): BackendState {
  const s = typeof v === 'string' ? STATE_ALIASES[v.toLowerCase()] : undefined;
  if (s) return s;
  throw new TopologyFormatError(
    path,
    `unknown backend state ${JSON.stringify(v)} (expected one of ${BACKEND_STATES.join(', ')})`,
  );
}

function parseNode(v: unknown, path: string): TopologyNode {
  if (!isObj(v)) throw new TopologyFormatError(path, 'not an object');
  const id = reqStr(v, 'id', path);
  const reasons = arr(v.reasons ?? v.healthReasons, `${path}.reasons`)
    .map((r) => (typeof r === 'string' ? r : isObj(r) ? (str(r.message) ?? str(r.reason)) : ''))
    .filter((r): r is string => Boolean(r));
  const gpus: NodeGpu[] = arr(v.gpus, `${path}.gpus`)
    .filter(isObj)
    .map((g, i) => ({
      index: num(g.index) ?? i,
      model: str(g.model),
      memoryMiB: num(g.memoryMiB),
      uuid: str(g.uuid),
      budgets: arr(g.budgets, `${path}.gpus[${i}].budgets`)
        .filter(isObj)
        .map((b) => ({ engine: str(b.engine) ?? '?', memoryMiB: num(b.memoryMiB) ?? 0 })),
    }));
  return {
    id,
    hostname: str(v.hostname) ?? id,
    roles: arr(v.roles, `${path}.roles`, true).filter((r): r is string => typeof r === 'string'),
    health: parseHealth(v.health ?? v.state, `${path}.health`),
    reasons,
    services: arr(v.services, `${path}.services`)
      .filter(isObj)
      .map((s) => ({
        name: str(s.name) ?? str(s.kind) ?? '?',
        kind: str(s.kind) ?? '?',
        port: num(s.port),
      })),
    gpus,
    description: str(v.description),
    address: str(v.address),
    firingAlerts: arr(v.firingAlerts, `${path}.firingAlerts`).filter(
      (a): a is string => typeof a === 'string',
    ),
    numbers: parseNumbers(v.numbers),
  };
}

function parseNumbers(v: unknown): TopologyNode['numbers'] {
  if (!isObj(v)) return undefined;
  const gpu: Record<string, number> = {};
  if (isObj(v.gpuMemoryByEngine)) {
    for (const [k, n] of Object.entries(v.gpuMemoryByEngine))
      if (num(n) !== undefined) gpu[k] = n as number;
  }
  return {
    gpuMemoryByEngine: gpu,
    tokensPerSecond: num(v.tokensPerSecond),
    cacheHitRatio: num(v.cacheHitRatio),
    ttftP95Seconds: num(v.ttftP95Seconds),
  };
}

function parseBackend(v: unknown, path: string): PoolBackend {
  if (!isObj(v)) throw new TopologyFormatError(path, 'not an object');
  return {
    node: reqStr(v, 'node', path),
    service: str(v.service),
    state: parseBackendState(v.state ?? 'enabled', `${path}.state`),
    weight: num(v.weight),
    backup: typeof v.backup === 'boolean' ? v.backup : undefined,
    reason: str(v.reason) ?? str(v.why),
    alert: str(v.alert) ?? str(v.alertname),
    since: str(v.since) ?? str(v.changedAt),
    actor: str(v.actor),
    pendingRevertAt: str(v.pendingRevertAt),
  };
}

export function parsePools(v: unknown, path: string): PoolRouting[] {
  // Either an array of pools or the controller's state map {pool: {backend: state}}.
  if (isObj(v)) {
    return Object.entries(v).map(([name, backends]) => ({
      name,
      frontends: [],
      backends: isObj(backends)
        ? Object.entries(backends).map(([node, state]) =>
            isObj(state)
              ? parseBackend({ node, ...state }, `${path}.${name}.${node}`)
              : { node, state: parseBackendState(state, `${path}.${name}.${node}`) },
          )
        : [],
    }));
  }
  return arr(v, path).map((p, i) => {
    const ppath = `${path}[${i}]`;
    if (!isObj(p)) throw new TopologyFormatError(ppath, 'not an object');
    return {
      name: reqStr(p, 'name', ppath),
      hop: str(p.hop),
      frontends: arr(p.frontends, `${ppath}.frontends`).filter(
        (f): f is string => typeof f === 'string',
      ),
      backends: arr(p.backends, `${ppath}.backends`).map((b, j) =>
        parseBackend(b, `${ppath}.backends[${j}]`),
      ),
    };
  });
}

function parseEdge(v: unknown, path: string): TopologyEdge {
  if (!isObj(v)) throw new TopologyFormatError(path, 'not an object');
  return {
    from: reqStr(v, 'from', path),
    to: reqStr(v, 'to', path),
    pool: str(v.pool),
    hop: str(v.hop),
    kind: v.kind === 'pool' || v.kind === 'path' ? v.kind : undefined,
  };
}

function parseAction(v: unknown): IncidentAction | undefined {
  if (!isObj(v)) return undefined;
  return {
    pool: str(v.pool),
    backend: str(v.backend) ?? str(v.node),
    action: str(v.action) ?? str(v.state) ?? str(v.kind) ?? 'change',
    alert: str(v.alert) ?? str(v.alertname),
    reason: str(v.reason) ?? str(v.why),
    since: str(v.since) ?? str(v.at) ?? str(v.startedAt),
    status:
      str(v.status) ??
      (str(v.pendingRevertAt) ? `revert due ${str(v.pendingRevertAt) as string}` : undefined),
  };
}

const DURATION_UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** Prometheus duration (500ms, 1h30m) to seconds; undefined when it is not one. */
export function parsePromDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

function parseBudget(v: unknown): HopBudgetSpec | undefined {
  if (!isObj(v)) return undefined;
  const hop = str(v.hop);
  const threshold =
    num(v.thresholdSeconds) ??
    (typeof v.threshold === 'string' ? parsePromDuration(v.threshold) : num(v.threshold));
  if (!hop || threshold === undefined) return undefined;
  return {
    hop,
    signal: str(v.signal) ?? 'added',
    thresholdSeconds: threshold,
    quantile: num(v.quantile) ?? 0.99,
    objective: num(v.objective) ?? 99,
    node: str(v.node),
  };
}

export function parseTopology(raw: unknown): Topology {
  if (!isObj(raw)) throw new TopologyFormatError('(root)', 'not a JSON object');
  const nodes = arr(raw.nodes, 'nodes', true).map((n, i) => parseNode(n, `nodes[${i}]`));
  const routing = isObj(raw.routing) ? raw.routing : undefined;
  const poolsRaw = raw.pools ?? routing?.pools ?? routing;
  const drill = isObj(raw.activeDrill) ? raw.activeDrill : undefined;
  const budgetsRaw = raw.budgets ?? (isObj(raw.inventory) ? raw.inventory.budgets : undefined);
  const budgetList = isObj(budgetsRaw) ? budgetsRaw.hops : budgetsRaw;
  return {
    cluster: str(raw.cluster) ?? 'cluster',
    generatedAt: str(raw.generatedAt) ?? str(raw.updatedAt) ?? str(raw.at),
    stale: raw.stale === true,
    staleReason: str(raw.error),
    killSwitch: isObj(raw.killSwitch) ? raw.killSwitch.enabled === true : raw.killSwitch === true,
    dryRun: raw.dryRun === true,
    nodes,
    edges: arr(raw.edges, 'edges').map((e, i) => parseEdge(e, `edges[${i}]`)),
    pools: poolsRaw === undefined ? [] : parsePools(poolsRaw, 'pools'),
    actions: arr(raw.actions ?? raw.activeActions ?? raw.incidents, 'actions')
      .map(parseAction)
      .filter((a): a is IncidentAction => a !== undefined),
    budgets: arr(budgetList, 'budgets')
      .map(parseBudget)
      .filter((b): b is HopBudgetSpec => b !== undefined),
    activeDrill:
      drill && str(drill.id)
        ? { id: str(drill.id) as string, scenario: str(drill.scenario), phase: str(drill.phase) }
        : undefined,
  };
}
