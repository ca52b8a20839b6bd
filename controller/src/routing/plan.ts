// The pure planner: one webhook alert + inventory + state → what should happen to routing.
// No clock, disk or network here; the engine passes `now` and carries the actions out.
import type { BackendState, Inventory, Pool } from '@okome/provisioning';
import { ALERT_ACTIONS, LABEL_ACTION, LABEL_BACKEND, LABEL_POOL } from '../conventions';
import type { AlertAction } from '../conventions';
import { backendState, releaseReverts } from '../state/types';
import type { ControllerState } from '../state/types';
import { dedupeKey } from '../webhook/validate';
import type { WebhookAlert, WebhookPayload } from '../webhook/validate';

export interface PlanContext {
  inventory: Inventory;
  state: ControllerState;
  now: number;
  holdDownMs: number;
}

interface Base {
  /** The webhook dedupe key this action settles. */
  key: string;
  fingerprint: string;
  alertname: string;
}

export type PlannedAction =
  /** Take the backend out (or further out: drain → disabled). */
  | (Base & {
      kind: 'set';
      pool: string;
      backend: string;
      from: BackendState;
      to: BackendState;
      reason: string;
    })
  /** Already out of the pool: this alert now also holds it out, and cancels a pending revert. */
  | (Base & { kind: 'hold'; pool: string; backend: string; reason: string })
  /** Alert resolved: it no longer holds the backend; the last holder schedules the revert. */
  | (Base & { kind: 'release'; pool: string; backend: string; revertAt?: number; reason: string })
  /** Nothing to do: a duplicate, a non-routing alert, or a routing alert naming what does not exist. */
  | (Base & {
      kind: 'skip';
      duplicate: boolean;
      invalid?: string;
      reason: string;
      pool?: string;
      backend?: string;
    });

const SEVERITY: Record<BackendState, number> = { enabled: 0, drain: 1, disabled: 2 };

function alertTarget(action: AlertAction): BackendState {
  return action === 'drain' ? 'drain' : 'disabled';
}

export function findPool(inventory: Inventory, name: string): Pool | undefined {
  return inventory.routing.pools.find((p) => p.name === name);
}

export function planAlert(groupKey: string, alert: WebhookAlert, ctx: PlanContext): PlannedAction {
  const key = dedupeKey(groupKey, alert);
  const alertname = alert.labels.alertname ?? '';
  const base: Base = { key, fingerprint: alert.fingerprint, alertname };
  const label = `${alertname || 'alert'} ${alert.fingerprint}`;
  if (ctx.state.processed[key] !== undefined)
    return { ...base, kind: 'skip', duplicate: true, reason: 'already processed' };

  const action = alert.labels[LABEL_ACTION];
  if (action === undefined)
    return { ...base, kind: 'skip', duplicate: false, reason: `no ${LABEL_ACTION} label` };
  const poolName = alert.labels[LABEL_POOL];
  const backend = alert.labels[LABEL_BACKEND];
  const invalid = (why: string): PlannedAction => ({
    ...base,
    kind: 'skip',
    duplicate: false,
    invalid: why,
    reason: `${label}: ${why}`,
    pool: poolName,
    backend,
  });
  if (!(ALERT_ACTIONS as readonly string[]).includes(action))
    return invalid(
      `unknown ${LABEL_ACTION} ${JSON.stringify(action)} (expected ${ALERT_ACTIONS.join(' or ')})`,
    );
  if (!poolName) return invalid(`missing label ${LABEL_POOL}`);
  if (!backend) return invalid(`missing label ${LABEL_BACKEND}`);
  const pool = findPool(ctx.inventory, poolName);
  if (!pool) return invalid(`unknown pool ${JSON.stringify(poolName)} in ${LABEL_POOL}`);
  if (!pool.backends.some((b) => b.node === backend))
    return invalid(
      `${JSON.stringify(backend)} in ${LABEL_BACKEND} is not a backend of pool ${poolName}`,
    );

  const current = backendState(ctx.state, poolName, backend);
  const record = ctx.state.routing[poolName]?.[backend];
  const target = { pool: poolName, backend };

  if (alert.status === 'firing') {
    const to = alertTarget(action as AlertAction);
    if (SEVERITY[current] >= SEVERITY[to])
      return { ...base, ...target, kind: 'hold', reason: `${label} firing; already ${current}` };
    return { ...base, ...target, kind: 'set', from: current, to, reason: `${label} firing` };
  }

  const holders = record?.holders ?? [];
  if (!holders.includes(alert.fingerprint))
    return {
      ...base,
      kind: 'skip',
      duplicate: false,
      reason: `${label} resolved; it holds nothing`,
      ...target,
    };
  if (!releaseReverts(record))
    return {
      ...base,
      ...target,
      kind: 'release',
      reason: `${label} resolved; no revert (${record?.manual ? 'manual change' : 'other alerts still hold it'})`,
    };
  return {
    ...base,
    ...target,
    kind: 'release',
    revertAt: ctx.now + ctx.holdDownMs,
    reason: `${label} resolved; enable after hold-down`,
  };
}

/** Plans every alert of a notification against the same state (for previews and tests). */
export function plan(payload: WebhookPayload, ctx: PlanContext): PlannedAction[] {
  return payload.alerts.map((a) => planAlert(payload.groupKey, a, ctx));
}
