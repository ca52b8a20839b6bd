// Pure planning: which nodes a scenario targets, and the exact fault actions it will take on
// them on this cluster (simulator faults, routing changes or exec hooks). The dry run shows this.
import type { Inventory } from '@okome/provisioning';
import { ValidationError } from '../errors';
import type { DrillAction, MethodStep, PlannedStep, Scenario } from './types';

/** Nodes the scenario's selector matches, in inventory order; nodes in maintenance are skipped. */
export function candidates(inv: Inventory, s: Scenario): string[] {
  return inv.nodes
    .filter((n) => !n.maintenance)
    .filter(
      (n) =>
        s.targets.nodes.includes(n.id) ||
        (s.targets.roles.length > 0 && n.roles.some((r) => s.targets.roles.includes(r))),
    )
    .map((n) => n.id);
}

export function resolveTargets(inv: Inventory, s: Scenario, requested?: string[]): string[] {
  const cands = candidates(inv, s);
  if (!cands.length)
    throw new ValidationError(
      'scenario',
      `${s.name}: no node of cluster ${inv.cluster} matches its targets (${[...s.targets.roles, ...s.targets.nodes].join(', ')})`,
    );
  if (!requested) return cands.slice(0, s.targets.count);
  if (!requested.length)
    throw new ValidationError('targets', 'an empty list; leave it out for the default');
  for (const t of requested)
    if (!cands.includes(t))
      throw new ValidationError(
        'targets',
        `${JSON.stringify(t)} is not a target of ${s.name} (candidates: ${cands.join(', ')})`,
      );
  if (new Set(requested).size !== requested.length)
    throw new ValidationError('targets', 'duplicate node');
  if (requested.length > s.targets.count)
    throw new ValidationError('targets', `at most ${s.targets.count} node(s) for ${s.name}`);
  return requested;
}

/**
 * The first pool the target backs and the kind of the service it backs it with: one scenario
 * then fits clusters whose pools and engines differ (vLLM in pool engine on OKOME, Ollama in
 * pool ollama on Kage Bunshin).
 */
function backing(inv: Inventory, target: string): { pool: string; engine: string } {
  const node = inv.nodes.find((n) => n.id === target);
  for (const p of inv.routing.pools)
    for (const b of p.backends)
      if (b.node === target)
        return {
          pool: p.name,
          engine: node?.services.find((s) => s.name === b.service)?.kind ?? b.service,
        };
  return { pool: '', engine: '' };
}

/** Fills {{target}}, {{address}}, {{cluster}}, {{pool}}, {{engine}} in a scenario string. */
export function fill(text: string, inv: Inventory, target: string): string {
  const node = inv.nodes.find((n) => n.id === target);
  let out = text
    .replace(/\{\{\s*target\s*\}\}/g, target)
    .replace(/\{\{\s*address\s*\}\}/g, node?.address ?? '')
    .replace(/\{\{\s*cluster\s*\}\}/g, inv.cluster);
  if (/\{\{\s*(pool|engine)\s*\}\}/.test(out)) {
    const b = backing(inv, target);
    out = out.replace(/\{\{\s*pool\s*\}\}/g, b.pool).replace(/\{\{\s*engine\s*\}\}/g, b.engine);
  }
  return out;
}

/** A simulator fault's params with the placeholders of their string values filled. */
function fillParams(
  params: Record<string, unknown>,
  inv: Inventory,
  target: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? fill(v, inv, target) : v]),
  );
}

/** Pools in which `node` is a backend. */
export function poolsOf(inv: Inventory, node: string): string[] {
  return inv.routing.pools
    .filter((p) => p.backends.some((b) => b.node === node))
    .map((p) => p.name);
}

type Concrete = Omit<DrillAction, 'id' | 'state'>;

function concreteFor(inv: Inventory, step: MethodStep, node: string): Concrete[] {
  if (step.kind === 'simulator') {
    if (inv.simulated) {
      const params = fillParams(step.params, inv, node);
      return [
        {
          kind: 'simulator',
          node,
          fault: step.fault,
          params,
          description: `simulator fault ${step.fault} on ${node}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`,
        },
      ];
    }
    // Real cluster: the scenario's alternative, else the safe default (drain the node).
    return concreteFor(inv, step.real ?? { kind: 'routing', state: 'drain' }, node);
  }
  if (step.kind === 'routing') {
    const pools = step.pool ? [step.pool] : poolsOf(inv, node);
    return pools
      .filter((p) =>
        inv.routing.pools.find((x) => x.name === p)?.backends.some((b) => b.node === node),
      )
      .map((pool) => ({
        kind: 'routing' as const,
        node,
        pool,
        to: step.state,
        description: `${step.state} ${node} in pool ${pool} (controller actuator)`,
      }));
  }
  return [
    {
      kind: 'exec',
      node,
      run: fill(step.run, inv, node),
      undo: fill(step.undo, inv, node),
      description: `exec on ${node}: ${fill(step.run, inv, node)}`,
    },
  ];
}

export function concreteActions(inv: Inventory, s: Scenario, targets: string[]): Concrete[] {
  return targets.flatMap((t) => s.method.flatMap((m) => concreteFor(inv, m, t)));
}

export function describeAction(a: Concrete, simulatorUrl: string | undefined): string {
  if (a.kind === 'simulator')
    return `POST ${simulatorUrl ?? '(no simulator URL)'}/faults ${JSON.stringify({ node: a.node, kind: a.fault, params: a.params })}`;
  if (a.kind === 'routing')
    return `set ${a.pool}/${a.node} to ${a.to} through the ${a.pool} pool's actuator (guardrails apply)`;
  return `/bin/sh -c ${JSON.stringify(a.run)}`;
}

function undoText(a: Concrete, simulatorUrl: string | undefined): string {
  if (a.kind === 'simulator')
    return `DELETE ${simulatorUrl ?? ''}/faults/{id} (every fault tagged with this drill)`;
  if (a.kind === 'routing') return `set ${a.pool}/${a.node} back to its state before the drill`;
  return `/bin/sh -c ${JSON.stringify(a.undo)}`;
}

/** The whole run, step by step, as the dry run shows it. */
export function planSteps(
  inv: Inventory,
  s: Scenario,
  targets: string[],
  simulatorUrl?: string,
): PlannedStep[] {
  const actions = concreteActions(inv, s, targets);
  const t0 = targets[0] as string;
  const steps: PlannedStep[] = [
    {
      phase: 'preflight',
      action: 'check',
      detail: `error budget ≥ ${s.preflight.budgetFloor * 100}% (${s.preflight.budgetQuery})${s.preflight.noFiringPage ? ', no firing page' : ''}${s.preflight.minHealthy ? ', min healthy backends kept' : ''}, no other drill, kill switch off`,
    },
    ...s.hypothesis.map((p) => ({
      phase: 'steady-state-before' as const,
      action: `probe ${p.name}`,
      detail: `${fill(p.query, inv, t0)} within [${p.min ?? '-∞'}, ${p.max ?? '+∞'}]`,
    })),
    ...s.expect.alerts
      .filter((a) => a.silence)
      .map((a) => ({
        phase: 'inject' as const,
        action: 'silence',
        detail: `silence ${a.alertname}${JSON.stringify(Object.fromEntries(Object.entries(a.labels).map(([k, v]) => [k, fill(v, inv, t0)])))} for the drill`,
      })),
    ...actions.map((a) => ({
      phase: 'inject' as const,
      node: a.node,
      action: a.kind,
      detail: describeAction(a, simulatorUrl),
    })),
    {
      phase: 'observe',
      action: 'observe',
      detail: `every ${s.intervalMs / 1000}s: probes, expected alerts (${s.expect.alerts.map((a) => a.alertname).join(', ') || 'none'}), routing (${s.expect.routing.map((r) => `${fill(r.pool, inv, t0)}/${fill(r.backend, inv, t0)}`).join(', ') || 'none'}); abort after ${s.maxDurationMs / 1000}s at most`,
    },
    ...[...actions].reverse().map((a) => ({
      phase: 'rollback' as const,
      node: a.node,
      action: `undo ${a.kind}`,
      detail: undoText(a, simulatorUrl),
    })),
    {
      phase: 'steady-state-after',
      action: 'probe',
      detail: `all probes back in tolerance and routing as before within ${s.recoveryWithinMs / 1000}s`,
    },
    {
      phase: 'report',
      action: 'report',
      detail: 'time to detect / reroute / recover, client errors, budget spent',
    },
  ];
  return steps;
}
