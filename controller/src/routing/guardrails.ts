// Guardrails as a rule list: each looks at one proposed change and says why not, or nothing.
// The engine runs all of them before any actuator is touched and records the first refusal.
import type { BackendState, HealthState, Inventory, Pool } from '@okome/provisioning';
import { formatDuration } from '../duration';
import { backendKey, backendState } from '../state/types';
import type { ControllerState } from '../state/types';

export interface Change {
  pool: Pool;
  backend: string;
  from: BackendState;
  to: BackendState;
  /** Alert-driven or revert (true) vs a human or drill (false). */
  automatic: boolean;
}

export interface GuardConfig {
  holdDownMs: number;
  /** At most `rateLimitCount` changes per pool per `rateLimitWindowMs`. */
  rateLimitCount: number;
  rateLimitWindowMs: number;
  /** Global floor on top of each pool's minHealthy, in percent of its backends. */
  minHealthyPercent: number;
}

export interface GuardContext {
  inventory: Inventory;
  state: ControllerState;
  now: number;
  config: GuardConfig;
  /** Last known health of a node from Prometheus; undefined when not known. */
  health(node: string): HealthState | undefined;
}

export interface Guardrail {
  name: string;
  check(change: Change, ctx: GuardContext): string | undefined;
}

export interface Refusal {
  rule: string;
  reason: string;
}

const takesOut = (c: Change): boolean => c.to !== 'enabled' && c.from === 'enabled';

export const killSwitchRule: Guardrail = {
  name: 'kill-switch',
  check(c, ctx) {
    if (c.automatic && ctx.state.killSwitch.enabled)
      return `kill switch is on since ${ctx.state.killSwitch.since} (${ctx.state.killSwitch.reason || 'no reason given'}): automatic actions are stopped`;
    return undefined;
  },
};

/** The number of backends that must stay enabled and healthy in `pool`. */
export function requiredHealthy(pool: Pool, config: GuardConfig): number {
  const byPercent = Math.ceil((pool.backends.length * config.minHealthyPercent) / 100);
  return Math.max(pool.minHealthy, byPercent);
}

export const minHealthyRule: Guardrail = {
  name: 'min-healthy',
  check(c, ctx) {
    // Only a change that removes capacity can break the floor (drain → disabled does not).
    if (!takesOut(c)) return undefined;
    const remaining = c.pool.backends.filter((b) => {
      if (b.node === c.backend) return false;
      if (backendState(ctx.state, c.pool.name, b.node) !== 'enabled') return false;
      const h = ctx.health(b.node);
      return h !== 'UNAVAILABLE' && h !== 'MAINTENANCE';
    });
    const need = requiredHealthy(c.pool, ctx.config);
    if (remaining.length < need)
      return `taking ${c.backend} out of pool ${c.pool.name} would leave ${remaining.length} healthy enabled backend(s) [${remaining.map((b) => b.node).join(', ')}], minimum is ${need}`;
    return undefined;
  },
};

export const holdDownRule: Guardrail = {
  name: 'hold-down',
  check(c, ctx) {
    if (c.to !== 'enabled' || c.from === 'enabled') return undefined;
    const removed = ctx.state.removedAt[backendKey(c.pool.name, c.backend)];
    if (removed === undefined) return undefined;
    const left = removed + ctx.config.holdDownMs - ctx.now;
    if (left > 0)
      return `${c.backend} left pool ${c.pool.name} ${formatDuration(ctx.now - removed)} ago; hold-down is ${formatDuration(ctx.config.holdDownMs)} (${formatDuration(Math.ceil(left / 1000) * 1000)} left)`;
    return undefined;
  },
};

/**
 * Stops a flapping alert from pulling backends out again and again. Every change counts, but
 * only take-outs are refused: the limit never keeps a backend out of its pool (bringing one
 * back is paced by the hold-down instead).
 */
export const rateLimitRule: Guardrail = {
  name: 'rate-limit',
  check(c, ctx) {
    if (c.to === 'enabled') return undefined;
    const since = ctx.now - ctx.config.rateLimitWindowMs;
    const recent = (ctx.state.changes[c.pool.name] ?? []).filter((t) => t > since).length;
    if (recent >= ctx.config.rateLimitCount)
      return `pool ${c.pool.name} already changed ${recent} time(s) in the last ${formatDuration(ctx.config.rateLimitWindowMs)} (limit ${ctx.config.rateLimitCount})`;
    return undefined;
  },
};

/** Order matters only for which reason is reported first. */
export const GUARDRAILS: readonly Guardrail[] = [
  killSwitchRule,
  minHealthyRule,
  holdDownRule,
  rateLimitRule,
];

export function checkGuardrails(
  change: Change,
  ctx: GuardContext,
  rules: readonly Guardrail[] = GUARDRAILS,
): Refusal | undefined {
  for (const rule of rules) {
    const reason = rule.check(change, ctx);
    if (reason !== undefined) return { rule: rule.name, reason };
  }
  return undefined;
}
