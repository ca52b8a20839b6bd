// Cross-field rules the schema cannot express. Each rule pushes problems with the path of the
// offending value, so the loader can point at its line and column. Rules also run on a
// partly invalid inventory (see load.ts salvage), so they read lists through `list()` and a
// rule that meets a shape it cannot read is skipped rather than crashing the loader.
import type { Inventory, InventoryNode, Pool } from './schema';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

type Rule = (inv: Inventory, report: (p: RuleProblem) => void) => void;

const list = <T>(value: readonly T[] | undefined): readonly T[] =>
  Array.isArray(value) ? value : [];

/** Proxies serve pools on their node's listen ports, so they may share a port with a pool. */
const PROXY_KINDS = new Set(['nginx', 'haproxy']);

const uniqueNodeIds: Rule = (inv, report) => {
  const seen = new Map<string, number>();
  list(inv.nodes).forEach((node, i) => {
    const first = seen.get(node.id);
    if (first !== undefined)
      report({
        path: ['nodes', i, 'id'],
        message: `duplicate node id "${node.id}" (also nodes[${first}])`,
      });
    else seen.set(node.id, i);
  });
};

const uniqueAddressPorts: Rule = (inv, report) => {
  const seen = new Map<string, string>();
  list(inv.nodes).forEach((node, i) => {
    const claim = (port: number | undefined, path: (string | number)[], what: string) => {
      if (typeof port !== 'number') return;
      const key = `${node.address}:${port}`;
      const other = seen.get(key);
      if (other) report({ path, message: `duplicate address:port ${key} (${what} and ${other})` });
      else seen.set(key, what);
    };
    list(node.services).forEach((svc, j) =>
      claim(svc.port, ['nodes', i, 'services', j, 'port'], `${node.id}/${svc.name}`),
    );
    claim(node.exporterPort, ['nodes', i, 'exporterPort'], `${node.id}/exporter`);
    const ctl = inv.observability?.controller;
    if (ctl?.node === node.id)
      claim(ctl.port, ['observability', 'controller', 'port'], `${node.id}/controller`);
  });
};

const uniqueServiceNames: Rule = (inv, report) => {
  list(inv.nodes).forEach((node, i) => {
    const seen = new Set<string>();
    list(node.services).forEach((svc, j) => {
      if (seen.has(svc.name))
        report({
          path: ['nodes', i, 'services', j, 'name'],
          message: `duplicate service name "${svc.name}" on ${node.id}`,
        });
      seen.add(svc.name);
    });
  });
};

function checkPool(
  pool: Pool,
  i: number,
  nodes: Map<string, InventoryNode>,
  report: (p: RuleProblem) => void,
): void {
  const at = (...rest: (string | number)[]) => ['routing', 'pools', i, ...rest];
  list(pool.frontends).forEach((f, j) => {
    if (!nodes.has(f)) report({ path: at('frontends', j), message: `unknown node "${f}"` });
  });
  const backends = list(pool.backends);
  backends.forEach((b, j) => {
    const node = nodes.get(b.node);
    if (!node) {
      report({ path: at('backends', j, 'node'), message: `unknown node "${b.node}"` });
      return;
    }
    if (!list(node.services).some((s) => s.name === b.service))
      report({
        path: at('backends', j, 'service'),
        message: `node "${b.node}" has no service "${b.service}" (has ${
          list(node.services)
            .map((s) => s.name)
            .join(', ') || 'none'
        })`,
      });
  });
  list(pool.failoverOrder).forEach((n, j) => {
    if (!backends.some((b) => b.node === n))
      report({
        path: at('failoverOrder', j),
        message: `"${n}" is not a backend of pool "${pool.name}"`,
      });
  });
  if (typeof pool.minHealthy === 'number' && pool.minHealthy > backends.length)
    report({
      path: at('minHealthy'),
      message: `minHealthy ${pool.minHealthy} exceeds the pool's ${backends.length} backends`,
    });
  if (pool.actuator === 'exec' && !pool.execCommand)
    report({ path: at('execCommand'), message: 'required when actuator is "exec"' });
  if (pool.balance === 'hash' && !pool.stickyKey)
    report({
      path: at('stickyKey'),
      message: 'required when balance is "hash" (e.g. $cookie_okome_session or $remote_addr)',
    });
}

const poolsPointAtNodes: Rule = (inv, report) => {
  const nodes = new Map(list(inv.nodes).map((n) => [n.id, n]));
  const poolNames = new Set<string>();
  list(inv.routing?.pools).forEach((pool, i) => {
    if (poolNames.has(pool.name))
      report({
        path: ['routing', 'pools', i, 'name'],
        message: `duplicate pool name "${pool.name}"`,
      });
    poolNames.add(pool.name);
    checkPool(pool, i, nodes, report);
  });
};

/** A pool listens on each frontend: not on a port another pool or a non-proxy service holds. */
const poolListenPorts: Rule = (inv, report) => {
  const nodes = new Map(list(inv.nodes).map((n) => [n.id, n]));
  const taken = new Map<string, string>();
  list(inv.routing?.pools).forEach((pool, i) => {
    list(pool.frontends).forEach((f) => {
      const node = nodes.get(f);
      if (!node || typeof pool.listenPort !== 'number') return;
      const key = `${f}:${pool.listenPort}`;
      const clash = list(node.services).find(
        (s) => s.port === pool.listenPort && !PROXY_KINDS.has(s.kind),
      );
      const other =
        taken.get(key) ??
        (clash ? `service ${f}/${clash.name}` : undefined) ??
        (node.exporterPort === pool.listenPort ? `${f}/exporter` : undefined);
      if (other)
        report({
          path: ['routing', 'pools', i, 'listenPort'],
          message: `port ${pool.listenPort} on ${f} is already used by ${other}`,
        });
      else taken.set(key, `pool "${pool.name}"`);
    });
  });
};

const referencesResolve: Rule = (inv, report) => {
  const ids = new Set(list(inv.nodes).map((n) => n.id));
  const models = new Set(list(inv.models).map((m) => m.name));
  list(inv.nodes).forEach((node, i) =>
    list(node.services).forEach((svc, j) =>
      list(svc.models).forEach((m, k) => {
        if (!models.has(m))
          report({
            path: ['nodes', i, 'services', j, 'models', k],
            message: `unknown model "${m}"`,
          });
      }),
    ),
  );
  list(inv.models).forEach((m, i) =>
    list(m.perNode).forEach((p, j) => {
      if (!ids.has(p.node))
        report({ path: ['models', i, 'perNode', j, 'node'], message: `unknown node "${p.node}"` });
    }),
  );
  list(inv.budgets?.hops).forEach((b, i) => {
    if (b.node && !ids.has(b.node))
      report({ path: ['budgets', 'hops', i, 'node'], message: `unknown node "${b.node}"` });
  });
  const ctl = inv.observability?.controller;
  if (ctl && !ids.has(ctl.node))
    report({
      path: ['observability', 'controller', 'node'],
      message: `unknown node "${ctl.node}"`,
    });
};

/** Prometheus and Alertmanager are rendered for observability nodes: a cluster needs one. */
const hasObservabilityNode: Rule = (inv, report) => {
  const nodes = list(inv.nodes);
  if (nodes.length && !nodes.some((n) => list(n.roles).includes('observability')))
    report({
      path: ['nodes'],
      message: 'no node has the "observability" role (Prometheus and Alertmanager run there)',
    });
};

const gpuBudgetsFit: Rule = (inv, report) => {
  list(inv.nodes).forEach((node, i) =>
    list(node.gpus).forEach((gpu, j) => {
      const total = list(gpu.budgets).reduce((sum, b) => sum + b.memoryMiB, 0);
      if (total > gpu.memoryMiB)
        report({
          path: ['nodes', i, 'gpus', j, 'budgets'],
          message: `engine budgets add up to ${total} MiB, more than the GPU's ${gpu.memoryMiB} MiB`,
        });
    }),
  );
};

export const RULES: readonly Rule[] = [
  uniqueNodeIds,
  uniqueServiceNames,
  uniqueAddressPorts,
  poolsPointAtNodes,
  poolListenPorts,
  referencesResolve,
  hasObservabilityNode,
  gpuBudgetsFit,
];

/**
 * Runs every rule. `lenient` is for an inventory the schema rejected (load.ts salvage): a
 * rule that cannot read its shape is skipped, since the schema problems are reported already.
 */
export function checkRules(inv: Inventory, options: { lenient?: boolean } = {}): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const rule of RULES) {
    try {
      rule(inv, (p) => problems.push(p));
    } catch (err) {
      if (!options.lenient) throw err;
    }
  }
  return problems;
}
