// Cross-field rules the schema cannot express. Each rule pushes problems with the path of the
// offending value, so the loader can point at its line and column.
import type { Inventory } from './schema';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

type Rule = (inv: Inventory, report: (p: RuleProblem) => void) => void;

const uniqueNodeIds: Rule = (inv, report) => {
  const seen = new Map<string, number>();
  inv.nodes.forEach((node, i) => {
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
  inv.nodes.forEach((node, i) => {
    const claim = (port: number, path: (string | number)[], what: string) => {
      const key = `${node.address}:${port}`;
      const other = seen.get(key);
      if (other) report({ path, message: `duplicate address:port ${key} (${what} and ${other})` });
      else seen.set(key, what);
    };
    node.services.forEach((svc, j) =>
      claim(svc.port, ['nodes', i, 'services', j, 'port'], `${node.id}/${svc.name}`),
    );
    claim(node.exporterPort, ['nodes', i, 'exporterPort'], `${node.id}/exporter`);
  });
};

const uniqueServiceNames: Rule = (inv, report) => {
  inv.nodes.forEach((node, i) => {
    const seen = new Set<string>();
    node.services.forEach((svc, j) => {
      if (seen.has(svc.name))
        report({
          path: ['nodes', i, 'services', j, 'name'],
          message: `duplicate service name "${svc.name}" on ${node.id}`,
        });
      seen.add(svc.name);
    });
  });
};

const poolsPointAtNodes: Rule = (inv, report) => {
  const nodes = new Map(inv.nodes.map((n) => [n.id, n]));
  const poolNames = new Set<string>();
  inv.routing.pools.forEach((pool, i) => {
    if (poolNames.has(pool.name))
      report({
        path: ['routing', 'pools', i, 'name'],
        message: `duplicate pool name "${pool.name}"`,
      });
    poolNames.add(pool.name);
    pool.frontends.forEach((f, j) => {
      if (!nodes.has(f))
        report({ path: ['routing', 'pools', i, 'frontends', j], message: `unknown node "${f}"` });
    });
    pool.backends.forEach((b, j) => {
      const node = nodes.get(b.node);
      if (!node) {
        report({
          path: ['routing', 'pools', i, 'backends', j, 'node'],
          message: `unknown node "${b.node}"`,
        });
        return;
      }
      if (!node.services.some((s) => s.name === b.service))
        report({
          path: ['routing', 'pools', i, 'backends', j, 'service'],
          message: `node "${b.node}" has no service "${b.service}" (has ${node.services.map((s) => s.name).join(', ') || 'none'})`,
        });
    });
    pool.failoverOrder.forEach((n, j) => {
      if (!pool.backends.some((b) => b.node === n))
        report({
          path: ['routing', 'pools', i, 'failoverOrder', j],
          message: `"${n}" is not a backend of pool "${pool.name}"`,
        });
    });
    if (pool.minHealthy > pool.backends.length)
      report({
        path: ['routing', 'pools', i, 'minHealthy'],
        message: `minHealthy ${pool.minHealthy} exceeds the pool's ${pool.backends.length} backends`,
      });
    if (pool.actuator === 'exec' && !pool.execCommand)
      report({
        path: ['routing', 'pools', i, 'execCommand'],
        message: 'required when actuator is "exec"',
      });
  });
};

const referencesResolve: Rule = (inv, report) => {
  const ids = new Set(inv.nodes.map((n) => n.id));
  const models = new Set(inv.models.map((m) => m.name));
  inv.nodes.forEach((node, i) =>
    node.services.forEach((svc, j) =>
      (svc.models ?? []).forEach((m, k) => {
        if (!models.has(m))
          report({
            path: ['nodes', i, 'services', j, 'models', k],
            message: `unknown model "${m}"`,
          });
      }),
    ),
  );
  inv.models.forEach((m, i) =>
    m.perNode.forEach((p, j) => {
      if (!ids.has(p.node))
        report({ path: ['models', i, 'perNode', j, 'node'], message: `unknown node "${p.node}"` });
    }),
  );
  inv.budgets.hops.forEach((b, i) => {
    if (b.node && !ids.has(b.node))
      report({ path: ['budgets', 'hops', i, 'node'], message: `unknown node "${b.node}"` });
  });
  const ctl = inv.observability.controller;
  if (ctl && !ids.has(ctl.node))
    report({
      path: ['observability', 'controller', 'node'],
      message: `unknown node "${ctl.node}"`,
    });
};

const gpuBudgetsFit: Rule = (inv, report) => {
  inv.nodes.forEach((node, i) =>
    node.gpus.forEach((gpu, j) => {
      const total = gpu.budgets.reduce((sum, b) => sum + b.memoryMiB, 0);
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
  referencesResolve,
  gpuBudgetsFit,
];

export function checkRules(inv: Inventory): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const rule of RULES) rule(inv, (p) => problems.push(p));
  return problems;
}
