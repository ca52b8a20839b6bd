// Scenario files: every shipped one loads and matches the inventory's scenario names; bad
// files give every problem with file:line:col and the path.
import { DRILL_SCENARIOS, loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { concreteActions, fill, resolveTargets } from './plan';
import { DEFAULT_DRILLS_DIR, loadScenarios, parseScenario, ScenarioError } from './scenario';

const problems = (text: string): string[] => {
  try {
    parseScenario(text, 'lose-cache-node.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.message.split('\n');
    throw err;
  }
  return [];
};

const VALID = `name: lose-cache-node
title: t
description: d
targets: { roles: [cache] }
hypothesis:
  - { name: p, query: up, min: 1 }
method:
  - simulator: { fault: redis-down }
`;

describe('drill scenarios', () => {
  it('ships one valid file per scenario the inventory knows', () => {
    const all = loadScenarios(DEFAULT_DRILLS_DIR);
    expect(all.map((s) => s.name).sort()).toEqual([...DRILL_SCENARIOS].sort());
    for (const s of all) {
      expect(s.hypothesis.length).toBeGreaterThan(0);
      expect(s.method.length).toBeGreaterThan(0);
      // Routing alerts must reach the controller: a scenario never silences them.
      for (const a of s.expect.alerts)
        if (a.alertname.startsWith('Okome')) expect(a.silence).toBe(false);
    }
  });

  it('accepts a minimal scenario with defaults', () => {
    const s = parseScenario(VALID, 'lose-cache-node.yaml');
    expect(s).toMatchObject({ intervalMs: 2000, maxDurationMs: 120_000, targets: { count: 1 } });
    expect(s.hypothesis[0]).toMatchObject({ during: true, graceMs: 10_000, noData: 'fail' });
  });

  it('reports every problem with file, line, column and path', () => {
    const text = VALID.replace(
      'targets: { roles: [cache] }',
      'targets: { roles: [cache], cuont: 1 }',
    )
      .replace('{ name: p, query: up, min: 1 }', '{ name: p, query: up, min: 1, grace: 10 }')
      .replace('fault: redis-down', 'fault: redis-gone');
    expect(problems(text)).toEqual([
      'lose-cache-node.yaml:4:28 targets.cuont: unknown field "cuont" (expected one of roles, nodes, count)',
      'lose-cache-node.yaml:6:42 hypothesis[0].grace: not a duration: 10 (expected e.g. 500ms, 30s, 2m)',
      'lose-cache-node.yaml:8:25 method[0].simulator.fault: unknown simulator fault "redis-gone" (expected one of down, slow, latency, gpu-oom, gpu-xid, redis-down, partition)',
    ]);
  });

  it('names missing parts and a file name that does not match', () => {
    const out = problems(
      'name: lose-ingress-node\ntitle: t\ndescription: d\ntargets: { nodes: [NODE-01] }\n',
    );
    expect(out).toEqual([
      'lose-cache-node.yaml:1:7 name: must match the file name (lose-cache-node.yaml)',
      'lose-cache-node.yaml:1:1 hypothesis: a drill needs at least one steady-state probe',
      'lose-cache-node.yaml:1:1 method: a drill needs at least one fault action',
    ]);
  });

  it('rejects a probe without tolerance and a step with two kinds', () => {
    const text = VALID.replace('min: 1 }', '}').replace(
      'simulator: { fault: redis-down }',
      'simulator: { fault: redis-down }\n    routing: { state: drain }',
    );
    expect(problems(text)).toEqual([
      'lose-cache-node.yaml:6:5 hypothesis[0]: a probe needs a tolerance: min, max or both',
      'lose-cache-node.yaml:8:5 method[0]: each method step needs exactly one of simulator, routing, exec',
      'lose-cache-node.yaml:8:3 method: a drill needs at least one fault action',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: [lose-cache-node\n')[0]).toMatch(
      /^lose-cache-node\.yaml:\d+:\d+ \(yaml\): /,
    );
  });
});

describe('gpu-memory-pressure fits each cluster it is allowed on', () => {
  // One scenario file, two clusters whose GPU nodes serve different engines in different pools.
  it.each([
    ['okome', 'CORE', 'vllm', 'engine'],
    ['kage-bunshin', 'node-gpu-mobile', 'ollama', 'ollama'],
  ])(
    '%s: fills the GPU as the engine %s serves with, expects it out of its pool',
    (cluster, node, engine, pool) => {
      const inv = loadInventory(resolveInventoryPath(cluster));
      inv.simulated = true;
      const s = loadScenarios(DEFAULT_DRILLS_DIR).find((x) => x.name === 'gpu-memory-pressure')!;
      const targets = resolveTargets(inv, s, undefined);
      expect(targets).toEqual([node]);
      expect(concreteActions(inv, s, targets)).toEqual([
        expect.objectContaining({ kind: 'simulator', node, fault: 'gpu-oom', params: { engine } }),
      ]);
      const routing = s.expect.routing.map(
        (r) => `${fill(r.pool, inv, node)}/${fill(r.backend, inv, node)}`,
      );
      expect(routing).toEqual([`${pool}/${node}`]);
    },
  );
});
