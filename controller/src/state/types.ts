// What the controller persists: routing decisions, processed alerts, pending reverts and the
// action in flight. Everything needed to finish or undo work after a crash lives here.
import type { BackendState } from '@okome/provisioning';

export interface BackendRecord {
  state: BackendState;
  /** Human-readable reason of the last change. */
  why: string;
  /** ISO time of the last change. */
  since: string;
  /** alert:<fingerprint> | user:<name> | drill:<id> | revert:<fingerprint> */
  actor: string;
  manual: boolean;
  /** Fingerprints of firing alerts that keep this backend out of its pool. */
  holders: string[];
}

export interface PendingRevert {
  pool: string;
  backend: string;
  /** Epoch ms when the backend may come back. */
  dueAt: number;
  /** The alert whose resolution scheduled the revert. */
  fingerprint: string;
}

/** A change that passed the guardrails and is being applied (write-ahead intent). */
export interface PendingAction {
  id: string;
  at: string;
  pool: string;
  backend: string;
  before: BackendState;
  after: BackendState;
  actor: string;
  reason: string;
  manual: boolean;
  /** Dedupe keys of the webhook alerts this action settles. */
  settles: string[];
  /** For alert-driven drains: the fingerprint that holds the backend out. */
  holder?: string;
}

export interface KillSwitch {
  enabled: boolean;
  since: string;
  actor: string;
  reason: string;
}

export interface ControllerState {
  version: 1;
  /** pool → backend node id → record; backends not listed are enabled. */
  routing: Record<string, Record<string, BackendRecord>>;
  /** webhook dedupe key → epoch ms it was settled. */
  processed: Record<string, number>;
  pendingReverts: PendingRevert[];
  /** pool → epoch ms of recent changes (rate limit window). */
  changes: Record<string, number[]>;
  /** "pool/backend" → epoch ms it was last taken out. */
  removedAt: Record<string, number>;
  /** "pool/backend" → Alertmanager silence ids created for the change. */
  silences: Record<string, string[]>;
  killSwitch: KillSwitch;
  pendingAction?: PendingAction;
}

export function emptyState(): ControllerState {
  return {
    version: 1,
    routing: {},
    processed: {},
    pendingReverts: [],
    changes: {},
    removedAt: {},
    silences: {},
    killSwitch: { enabled: false, since: new Date(0).toISOString(), actor: '', reason: '' },
  };
}

export function backendKey(pool: string, backend: string): string {
  return `${pool}/${backend}`;
}

/** Current state of one backend (enabled when never touched). */
export function backendState(state: ControllerState, pool: string, backend: string): BackendState {
  return state.routing[pool]?.[backend]?.state ?? 'enabled';
}

/**
 * Whether releasing one holder of `rec` schedules the backend's revert: only the last holder of
 * an automatic change does (a manual change stays until a person undoes it). One rule for a
 * resolved notification and for a holder whose alert was lost.
 */
export function releaseReverts(rec: BackendRecord | undefined): boolean {
  return rec !== undefined && rec.holders.length === 1 && !rec.manual && rec.state !== 'enabled';
}

/** pool's backends → state, the shape the actuators and renderers take. */
export function poolStates(state: ControllerState, pool: string): Record<string, BackendState> {
  const out: Record<string, BackendState> = {};
  for (const [backend, rec] of Object.entries(state.routing[pool] ?? {})) out[backend] = rec.state;
  return out;
}
