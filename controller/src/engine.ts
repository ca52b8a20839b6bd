// The controller's core: turns planned actions into guarded, verified, journaled routing
// changes, one at a time. Every change is a write-ahead intent in the state file first, so a
// crash at any point is finished (or undone) by `start()` on the next run.
import { randomUUID } from 'node:crypto';
import type { BackendState, Inventory, Pool } from '@okome/provisioning';
import { actuatorFor, defaultActuators } from './actuators';
import type { Actuators } from './actuators';
import type { PoolChange } from './actuators/types';
import type { AlertmanagerClient } from './alertmanager';
import { LABEL_ACTION, LABEL_BACKEND, LABEL_NODE, LABEL_POOL } from './conventions';
import { formatDuration } from './duration';
import { ActuatorError } from './errors';
import { faultPoint } from './faults';
import { ControllerMetrics } from './metrics';
import { checkGuardrails } from './routing/guardrails';
import type { GuardConfig } from './routing/guardrails';
import { findPool, planAlert } from './routing/plan';
import type { PlannedAction } from './routing/plan';
import { AuditJournal } from './state/audit';
import type { AuditEntry } from './state/audit';
import { StateStore } from './state/store';
import { backendKey, backendState, poolStates, releaseReverts } from './state/types';
import type { ControllerState, KillSwitch, PendingAction } from './state/types';
import type { NodeHealth } from './topology/health';
import { dedupeKey } from './webhook/validate';
import type { WebhookPayload } from './webhook/validate';

export interface EngineOptions extends GuardConfig {
  inventory: Inventory;
  stateDir: string;
  dryRun: boolean;
  actuators?: Actuators;
  alertmanager?: AlertmanagerClient;
  health?: (node: string) => NodeHealth | undefined;
  metrics?: ControllerMetrics;
  now?: () => number;
  /** How often due reverts are looked for. */
  tickMs?: number;
  /**
   * How often holders are checked against Alertmanager's active alerts (0: never). A holder
   * whose alert has been gone from every peer for longer than `holderGraceMs` is released: its
   * resolution was never notified (inhibited, silenced by hand, or lost), and without this the
   * backend would stay out of its pool for good.
   */
  holderCheckMs?: number;
  /** How long a holder's alert must be missing before it is released (default 5 hold-downs). */
  holderGraceMs?: number;
  log?: (line: string) => void;
}

export type OutcomeResult =
  | 'applied'
  | 'noop'
  | 'refused'
  | 'dry-run'
  | 'failed'
  | 'held'
  | 'released'
  | 'skipped'
  | 'duplicate';

export interface Outcome {
  result: OutcomeResult;
  id?: string;
  pool?: string;
  backend?: string;
  from?: BackendState;
  to?: BackendState;
  rule?: string;
  reason: string;
  fingerprint?: string;
}

interface ChangeRequest {
  pool: Pool;
  backend: string;
  to: BackendState;
  actor: string;
  reason: string;
  manual: boolean;
  automatic: boolean;
  settles: string[];
  holder?: string;
  /** Alert that caused a take-out; its name is kept out of the silence. */
  alertname?: string;
}

/** Dedupe keys older than this are forgotten (Alertmanager stops retrying long before). */
const PROCESSED_TTL_MS = 7 * 24 * 3600_000;

export class Engine {
  readonly metrics: ControllerMetrics;
  readonly audit: AuditJournal;
  private readonly store: StateStore;
  private readonly actuators: Actuators;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private state: ControllerState;
  private queue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private holderTimer?: NodeJS.Timeout;
  /** "pool/backend/fingerprint" → epoch ms its alert was first found missing from Alertmanager. */
  private readonly missingHolders = new Map<string, number>();
  private started = false;

  constructor(private readonly opts: EngineOptions) {
    this.store = new StateStore(opts.stateDir);
    this.store.lock();
    this.audit = new AuditJournal(opts.stateDir);
    this.actuators = opts.actuators ?? defaultActuators();
    this.metrics = opts.metrics ?? new ControllerMetrics();
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((line) => process.stderr.write(`okome-controller: ${line}\n`));
    this.state = this.store.load();
    this.updateGauges();
  }

  get inventory(): Inventory {
    return this.opts.inventory;
  }

  get dryRun(): boolean {
    return this.opts.dryRun;
  }

  get ready(): boolean {
    return this.started;
  }

  /** A copy of the persisted state (for the API and tests). */
  snapshot(): ControllerState {
    return structuredClone(this.state);
  }

  /** Replays the state: finishes an interrupted action, re-applies routing, starts the revert timer. */
  async start(): Promise<void> {
    await this.exclusive(async () => {
      if (this.state.pendingAction) await this.recover(this.state.pendingAction);
      await this.reconcile();
    });
    this.started = true;
    const tick = this.opts.tickMs ?? 500;
    this.timer = setInterval(
      () =>
        void this.processDueReverts().catch((e) =>
          this.log(`revert tick: ${(e as Error).message}`),
        ),
      tick,
    );
    this.timer.unref();
    if (this.opts.holderCheckMs) {
      this.holderTimer = setInterval(
        () =>
          void this.releaseLostHolders().catch((e) =>
            this.log(`holder check: ${(e as Error).message}`),
          ),
        this.opts.holderCheckMs,
      );
      this.holderTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.holderTimer) clearInterval(this.holderTimer);
    this.timer = undefined;
    this.holderTimer = undefined;
    await this.queue.catch(() => undefined);
    this.store.unlock();
  }

  // ---- entry points -------------------------------------------------------------------------

  async handleWebhook(payload: WebhookPayload): Promise<Outcome[]> {
    const refired = await this.refiredAlerts(payload);
    return this.exclusive(async () => {
      const out: Outcome[] = [];
      for (const alert of payload.alerts) {
        if (refired.has(alert.fingerprint)) {
          // Genuinely firing again: both notifications of the old episode count again.
          delete this.state.processed[dedupeKey(payload.groupKey, alert)];
          delete this.state.processed[
            dedupeKey(payload.groupKey, { ...alert, status: 'resolved' })
          ];
        }
        const planned = planAlert(payload.groupKey, alert, {
          inventory: this.inventory,
          state: this.state,
          now: this.now(),
          holdDownMs: this.opts.holdDownMs,
        });
        out.push(await this.carryOut(planned));
      }
      this.pruneProcessed();
      return out;
    });
  }

  /**
   * Firing alerts already acted on (same key) that no longer hold their backend, and which
   * Alertmanager still has active. With a Prometheus pair, Alertmanager keeps the earliest
   * startsAt of overlapping alerts, so a re-fire can repeat an old episode's key; a peer's late
   * notification can too, but that one names an alert no longer active, and stays a duplicate.
   */
  private async refiredAlerts(payload: WebhookPayload): Promise<Set<string>> {
    const candidates = payload.alerts.filter((a) => {
      if (a.status !== 'firing') return false;
      if (this.state.processed[dedupeKey(payload.groupKey, a)] === undefined) return false;
      const rec = this.state.routing[a.labels[LABEL_POOL] ?? '']?.[a.labels[LABEL_BACKEND] ?? ''];
      return !rec?.holders.includes(a.fingerprint);
    });
    const am = this.opts.alertmanager;
    if (!candidates.length || !am || am.urls.length === 0) return new Set();
    try {
      const active = await am.activeRoutingFingerprints(LABEL_ACTION);
      return new Set(candidates.map((a) => a.fingerprint).filter((fp) => active.has(fp)));
    } catch (err) {
      this.log(`re-fire check skipped: ${(err as Error).message}`);
      return new Set();
    }
  }

  setManual(
    poolName: string,
    backend: string,
    to: BackendState,
    reason: string,
    actor: string,
  ): Promise<Outcome> {
    return this.exclusive(async () => {
      const pool = findPool(this.inventory, poolName) as Pool;
      return this.change({
        pool,
        backend,
        to,
        actor,
        reason,
        manual: to !== 'enabled',
        automatic: false,
        settles: [],
      });
    });
  }

  setKillSwitch(enabled: boolean, actor: string, reason: string): Promise<KillSwitch> {
    return this.exclusive(async () => {
      const before = this.state.killSwitch.enabled;
      const ks: KillSwitch = {
        enabled,
        since: before === enabled ? this.state.killSwitch.since : this.iso(),
        actor,
        reason,
      };
      this.appendAudit({
        id: randomUUID(),
        time: this.iso(),
        actor,
        action: 'kill-switch',
        before,
        after: enabled,
        result: before === enabled ? 'noop' : 'applied',
        reason,
      });
      this.state.killSwitch = ks;
      this.save();
      return ks;
    });
  }

  /** Runs every revert whose hold-down is over (called by the timer; exposed for tests). */
  processDueReverts(): Promise<Outcome[]> {
    return this.exclusive(async () => {
      const out: Outcome[] = [];
      if (this.state.killSwitch.enabled) return out;
      const now = this.now();
      for (const r of this.state.pendingReverts.filter((x) => x.dueAt <= now)) {
        const pool = findPool(this.inventory, r.pool);
        const rec = this.state.routing[r.pool]?.[r.backend];
        const stillWanted =
          pool && rec && !rec.manual && rec.holders.length === 0 && rec.state !== 'enabled';
        if (!stillWanted) {
          this.dropRevert(r.pool, r.backend);
          this.save();
          continue;
        }
        const outcome = await this.change({
          pool,
          backend: r.backend,
          to: 'enabled',
          actor: `revert:${r.fingerprint}`,
          reason: `alert ${r.fingerprint} resolved and hold-down ${formatDuration(this.opts.holdDownMs)} passed`,
          manual: false,
          automatic: true,
          settles: [],
        });
        if (
          outcome.result !== 'applied' &&
          outcome.result !== 'dry-run' &&
          outcome.result !== 'noop'
        ) {
          // Refused (rate limit, kill switch) or failed: try again later, not on every tick.
          r.dueAt = now + Math.max(1000, Math.min(this.opts.holdDownMs, 30_000));
          this.save();
        } else if (outcome.result === 'dry-run') {
          this.dropRevert(r.pool, r.backend);
          this.save();
        }
        out.push(outcome);
      }
      return out;
    });
  }

  private get holderGraceMs(): number {
    return this.opts.holderGraceMs ?? Math.max(20_000, 5 * this.opts.holdDownMs);
  }

  // ---- planning results → changes -----------------------------------------------------------

  private async carryOut(p: PlannedAction): Promise<Outcome> {
    const base = { fingerprint: p.fingerprint, reason: p.reason };
    switch (p.kind) {
      case 'skip':
        if (p.duplicate) return { ...base, result: 'duplicate' };
        if (p.invalid) {
          this.metrics.refused.inc({ rule: 'unknown-target' });
          this.appendAudit({
            id: randomUUID(),
            time: this.iso(),
            actor: `alert:${p.fingerprint}`,
            action: 'drain',
            pool: p.pool,
            backend: p.backend,
            result: 'refused',
            reason: p.reason,
            detail: p.invalid,
          });
          this.markProcessed([p.key]);
          this.save();
          return {
            ...base,
            result: 'refused',
            rule: 'unknown-target',
            pool: p.pool,
            backend: p.backend,
          };
        }
        if (p.pool) {
          this.markProcessed([p.key]);
          this.save();
        }
        return { ...base, result: 'skipped' };
      case 'set': {
        const pool = findPool(this.inventory, p.pool) as Pool;
        return this.change({
          pool,
          backend: p.backend,
          to: p.to,
          actor: `alert:${p.fingerprint}`,
          reason: p.reason,
          manual: false,
          automatic: true,
          settles: [p.key],
          holder: p.fingerprint,
          alertname: p.alertname,
        });
      }
      case 'hold': {
        const rec = this.state.routing[p.pool]?.[p.backend];
        if (rec && !rec.holders.includes(p.fingerprint)) rec.holders.push(p.fingerprint);
        if (this.dropRevert(p.pool, p.backend))
          this.appendAudit({
            id: randomUUID(),
            time: this.iso(),
            actor: `alert:${p.fingerprint}`,
            action: 'enabled',
            pool: p.pool,
            backend: p.backend,
            result: 'info',
            reason: `pending revert cancelled: ${p.reason} (hysteresis)`,
          });
        this.markProcessed([p.key]);
        this.save();
        return { ...base, result: 'held', pool: p.pool, backend: p.backend };
      }
      case 'release': {
        this.release(p.pool, p.backend, p.fingerprint, p.reason, p.revertAt);
        this.markProcessed([p.key]);
        this.save();
        faultPoint('after-revert-scheduled');
        return { ...base, result: 'released', pool: p.pool, backend: p.backend };
      }
    }
  }

  /** The alert no longer holds the backend; `revertAt` when it was the last thing holding it. */
  private release(
    pool: string,
    backend: string,
    fingerprint: string,
    reason: string,
    revertAt?: number,
  ): void {
    const rec = this.state.routing[pool]?.[backend];
    if (rec) rec.holders = rec.holders.filter((h) => h !== fingerprint);
    const entry = {
      id: randomUUID(),
      time: this.iso(),
      actor: `alert:${fingerprint}`,
      action: 'enabled' as const,
      pool,
      backend,
      result: 'info' as const,
    };
    if (revertAt === undefined) {
      this.appendAudit({ ...entry, reason });
      return;
    }
    this.dropRevert(pool, backend);
    this.state.pendingReverts.push({ pool, backend, dueAt: revertAt, fingerprint });
    this.appendAudit({
      ...entry,
      reason: `${reason}: revert scheduled for ${new Date(revertAt).toISOString()}`,
    });
  }

  /**
   * Releases holders whose alert Alertmanager no longer has (see `holderCheckMs`). Returns the
   * released "pool/backend/fingerprint" triples.
   */
  async releaseLostHolders(): Promise<string[]> {
    const am = this.opts.alertmanager;
    const held = Object.values(this.state.routing).some((pool) =>
      Object.values(pool).some((rec) => rec.holders.length > 0),
    );
    if (!am || am.urls.length === 0 || !held) {
      this.missingHolders.clear();
      return [];
    }
    let active: Set<string>;
    try {
      active = await am.activeRoutingFingerprints(LABEL_ACTION);
    } catch (err) {
      // No Alertmanager answered: nothing can be concluded, and nothing is released.
      this.log(`holder check skipped: ${(err as Error).message}`);
      return [];
    }
    return this.exclusive(async () => {
      const released: string[] = [];
      const seen = new Set<string>();
      for (const [pool, backends] of Object.entries(this.state.routing))
        for (const [backend, rec] of Object.entries(backends))
          for (const fp of [...rec.holders]) {
            const key = `${pool}/${backend}/${fp}`;
            seen.add(key);
            if (active.has(fp)) {
              this.missingHolders.delete(key);
              continue;
            }
            const since = this.missingHolders.get(key);
            if (since === undefined) {
              this.missingHolders.set(key, this.now());
              continue;
            }
            // The resolved notification normally arrives within a group interval; only a
            // resolution missing for longer than the grace counts as lost.
            if (this.now() - since < this.holderGraceMs) continue;
            this.missingHolders.delete(key);
            const last = releaseReverts(rec);
            this.release(
              pool,
              backend,
              fp,
              `alert ${fp} is no longer active on any Alertmanager (its resolution was not ` +
                `notified: inhibited, silenced or lost)` +
                (last ? '; enable after hold-down' : '; no revert (other alerts still hold it)'),
              last ? this.now() + this.opts.holdDownMs : undefined,
            );
            released.push(key);
          }
      for (const key of [...this.missingHolders.keys()])
        if (!seen.has(key)) this.missingHolders.delete(key);
      if (released.length) this.save();
      return released;
    });
  }

  private async change(req: ChangeRequest): Promise<Outcome> {
    const { pool, backend, to } = req;
    const from = backendState(this.state, pool.name, backend);
    const target = { pool: pool.name, backend, from, to, reason: req.reason };
    const journal = {
      actor: req.actor,
      action: to,
      pool: pool.name,
      backend,
      before: from,
      after: to,
      reason: req.reason,
    };
    if (from === to) {
      const rec = this.state.routing[pool.name]?.[backend];
      if (rec && req.holder && !rec.holders.includes(req.holder)) rec.holders.push(req.holder);
      if (!req.automatic)
        this.appendAudit({ id: randomUUID(), time: this.iso(), ...journal, result: 'noop' });
      this.markProcessed(req.settles);
      this.save();
      return { ...target, result: 'noop' };
    }

    const refusal = checkGuardrails(
      { pool, backend, from, to, automatic: req.automatic },
      {
        inventory: this.inventory,
        state: this.state,
        now: this.now(),
        config: this.opts,
        health: (n) => this.health(n),
      },
    );
    if (refusal) {
      this.metrics.refused.inc({ rule: refusal.rule });
      this.appendAudit({
        id: randomUUID(),
        time: this.iso(),
        ...journal,
        result: 'refused',
        detail: `${refusal.rule}: ${refusal.reason}`,
      });
      return { ...target, result: 'refused', rule: refusal.rule, reason: refusal.reason };
    }

    const id = randomUUID();
    if (this.opts.dryRun) {
      this.appendAudit({ id, time: this.iso(), ...journal, result: 'dry-run' });
      this.markProcessed(req.settles);
      this.save();
      return { ...target, id, result: 'dry-run' };
    }

    const pa: PendingAction = {
      id,
      at: this.iso(),
      pool: pool.name,
      backend,
      before: from,
      after: to,
      actor: req.actor,
      reason: req.reason,
      manual: req.manual,
      settles: req.settles,
      ...(req.holder ? { holder: req.holder } : {}),
    };
    this.state.pendingAction = pa;
    this.save();
    faultPoint('after-intent');
    try {
      await this.actuate(pa);
    } catch (err) {
      await this.fail(pa, err as Error);
      return { ...target, id, result: 'failed', reason: (err as Error).message };
    }
    this.finish(pa, req.reason);
    if (to !== 'enabled' && from === 'enabled')
      void this.silence(pool.name, backend, req.alertname);
    return { ...target, id, result: 'applied' };
  }

  // ---- the write-ahead protocol -------------------------------------------------------------

  private poolChange(pa: PendingAction): PoolChange {
    const pool = findPool(this.inventory, pa.pool) as Pool;
    const previous = poolStates(this.state, pa.pool);
    previous[pa.backend] = pa.before;
    const desired = { ...previous, [pa.backend]: pa.after };
    return {
      inventory: this.inventory,
      pool,
      desired,
      previous,
      backend: pa.backend,
      actionId: pa.id,
    };
  }

  private async actuate(pa: PendingAction): Promise<void> {
    const change = this.poolChange(pa);
    const actuator = actuatorFor(this.actuators, change.pool);
    await actuator.apply(change);
    await actuator.verify(change);
    faultPoint('after-verify');
  }

  /** Journal first, then commit: a crash in between is completed from the journal on restart. */
  private finish(pa: PendingAction, reason: string): void {
    if (!this.audit.has(pa.id, 'applied'))
      this.appendAudit({
        id: pa.id,
        time: this.iso(),
        actor: pa.actor,
        action: pa.after,
        pool: pa.pool,
        backend: pa.backend,
        before: pa.before,
        after: pa.after,
        result: 'applied',
        reason,
      });
    faultPoint('after-audit');
    this.commit(pa);
    this.save();
    faultPoint('after-commit');
    this.metrics.actions.inc({
      pool: pa.pool,
      action: pa.after,
      actor: pa.actor.split(':')[0] as string,
    });
  }

  private async fail(pa: PendingAction, err: Error): Promise<void> {
    const change = this.poolChange(pa);
    const actuator = actuatorFor(this.actuators, change.pool);
    this.metrics.actuatorErrors.inc({ actuator: actuator.name });
    let detail = err.message;
    try {
      await actuator.rollback(change);
    } catch (rbErr) {
      detail += `; rollback: ${(rbErr as Error).message}`;
    }
    this.appendAudit({
      id: pa.id,
      time: this.iso(),
      actor: pa.actor,
      action: pa.after,
      pool: pa.pool,
      backend: pa.backend,
      before: pa.before,
      after: pa.after,
      result: 'failed',
      reason: pa.reason,
      detail,
    });
    this.state.pendingAction = undefined;
    this.save();
    this.log(`action ${pa.id} on ${pa.pool}/${pa.backend} failed and was rolled back: ${detail}`);
  }

  private commit(pa: PendingAction): void {
    const now = this.now();
    const pool = (this.state.routing[pa.pool] ??= {});
    const prev = pool[pa.backend];
    if (pa.after === 'enabled') {
      delete pool[pa.backend];
      if (Object.keys(pool).length === 0) delete this.state.routing[pa.pool];
      void this.unsilence(pa.pool, pa.backend);
    } else {
      const holders = pa.holder
        ? [...new Set([...(prev?.holders ?? []), pa.holder])]
        : (prev?.holders ?? []);
      pool[pa.backend] = {
        state: pa.after,
        why: pa.reason,
        since: new Date(now).toISOString(),
        actor: pa.actor,
        manual: pa.manual || (prev?.manual ?? false),
        holders,
      };
    }
    if (pa.before === 'enabled' && pa.after !== 'enabled')
      this.state.removedAt[backendKey(pa.pool, pa.backend)] = now;
    const window = now - this.opts.rateLimitWindowMs;
    this.state.changes[pa.pool] = [
      ...(this.state.changes[pa.pool] ?? []).filter((t) => t > window),
      now,
    ];
    this.dropRevert(pa.pool, pa.backend);
    this.markProcessed(pa.settles);
    this.state.pendingAction = undefined;
  }

  /** Finishes an action a crash interrupted: forward when possible, else back to `before`. */
  private async recover(pa: PendingAction): Promise<void> {
    if (this.audit.has(pa.id, 'applied')) {
      // The change was applied and journaled; only the state commit was lost.
      this.commit(pa);
      this.save();
      this.log(
        `recovered action ${pa.id} (${pa.pool}/${pa.backend} → ${pa.after}) from the journal`,
      );
      return;
    }
    try {
      await this.actuate(pa);
      this.finish(pa, `${pa.reason} (completed after a controller restart)`);
      this.log(`completed interrupted action ${pa.id} (${pa.pool}/${pa.backend} → ${pa.after})`);
    } catch (err) {
      await this.fail(pa, err as Error);
    }
  }

  /** Brings every proxy that the state says is changed back in line (after a crash or reboot). */
  private async reconcile(): Promise<void> {
    for (const poolName of Object.keys(this.state.routing)) {
      const pool = findPool(this.inventory, poolName);
      if (!pool) {
        this.log(`state names pool ${poolName}, which is not in the inventory; ignored`);
        continue;
      }
      const desired = poolStates(this.state, poolName);
      const change: PoolChange = {
        inventory: this.inventory,
        pool,
        desired,
        previous: desired,
        backend: Object.keys(desired)[0] ?? '',
        actionId: `reconcile-${poolName}`,
      };
      const actuator = actuatorFor(this.actuators, pool);
      try {
        await actuator.apply(change);
        await actuator.verify(change);
      } catch (err) {
        this.metrics.actuatorErrors.inc({ actuator: actuator.name });
        this.log(
          `could not reconcile pool ${poolName} with the saved state: ${(err as Error).message}`,
        );
      }
    }
  }

  // ---- silences -----------------------------------------------------------------------------

  /** Silences the non-routing alerts about a backend that leaves its pool (no traffic, absent data). */
  private async silence(pool: string, backend: string, alertname?: string): Promise<void> {
    const am = this.opts.alertmanager;
    if (!am || am.urls.length === 0) return;
    const now = this.now();
    try {
      const id = await am.createSilence({
        // okome_action="" matches only alerts without that label: routing alerts stay audible,
        // so their resolution still reaches the controller.
        matchers: [
          { name: LABEL_NODE, value: backend, isRegex: false, isEqual: true },
          { name: LABEL_ACTION, value: '', isRegex: false, isEqual: true },
        ],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + Math.max(3600_000, 4 * this.opts.holdDownMs)).toISOString(),
        createdBy: 'okome-controller',
        comment: `${backend} taken out of pool ${pool}${alertname ? ` by ${alertname}` : ''}; expected side effects silenced until it is back`,
      });
      await this.exclusive(async () => {
        const key = backendKey(pool, backend);
        if (this.state.routing[pool]?.[backend]) {
          (this.state.silences[key] ??= []).push(id);
          this.save();
        } else await am.expireSilence(id).catch(() => undefined);
      });
    } catch (err) {
      this.log(`silence for ${pool}/${backend} not created: ${(err as Error).message}`);
    }
  }

  private async unsilence(pool: string, backend: string): Promise<void> {
    const key = backendKey(pool, backend);
    const ids = this.state.silences[key] ?? [];
    delete this.state.silences[key];
    const am = this.opts.alertmanager;
    if (!am) return;
    for (const id of ids)
      await am
        .expireSilence(id)
        .catch((err) => this.log(`silence ${id}: ${(err as Error).message}`));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private health(node: string): Exclude<NodeHealth, 'UNKNOWN'> | undefined {
    const h = this.opts.health?.(node);
    return h === 'UNKNOWN' ? undefined : h;
  }

  private dropRevert(pool: string, backend: string): boolean {
    const before = this.state.pendingReverts.length;
    this.state.pendingReverts = this.state.pendingReverts.filter(
      (r) => !(r.pool === pool && r.backend === backend),
    );
    return this.state.pendingReverts.length !== before;
  }

  private markProcessed(keys: string[]): void {
    const now = this.now();
    for (const k of keys) this.state.processed[k] = now;
  }

  private pruneProcessed(): void {
    const cutoff = this.now() - PROCESSED_TTL_MS;
    for (const [k, t] of Object.entries(this.state.processed))
      if (t < cutoff) delete this.state.processed[k];
  }

  private appendAudit(entry: AuditEntry): void {
    this.audit.append(entry);
  }

  private save(): void {
    this.store.save(this.state);
    this.updateGauges();
  }

  private updateGauges(): void {
    this.metrics.dryRun.set({}, this.opts.dryRun ? 1 : 0);
    this.metrics.killSwitch.set({}, this.state.killSwitch.enabled ? 1 : 0);
    this.metrics.pendingReverts.set({}, this.state.pendingReverts.length);
    for (const pool of this.inventory.routing.pools)
      for (const b of pool.backends)
        for (const st of ['enabled', 'drain', 'disabled'] as const)
          this.metrics.backendState.set(
            { pool: pool.name, backend: b.node, state: st },
            backendState(this.state, pool.name, b.node) === st ? 1 : 0,
          );
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export { ActuatorError };
