// The actuator contract: bring a pool's proxy to the desired backend states, prove it, or undo.
import type { BackendState, Inventory, Pool } from '@okome/provisioning';

export interface PoolChange {
  inventory: Inventory;
  pool: Pool;
  /** Desired state of every backend in the pool (unlisted = enabled). */
  desired: Record<string, BackendState>;
  /** The state the proxy had before this change, for rollback. */
  previous: Record<string, BackendState>;
  /** The backend this change is about and the action id, for logs and exec hooks. */
  backend: string;
  actionId: string;
}

export interface Actuator {
  readonly name: string;
  /** Make the proxy match `desired`. Idempotent: applying the served state again is harmless. */
  apply(change: PoolChange): Promise<void>;
  /** Throws ActuatorError unless the proxy serves `desired`. */
  verify(change: PoolChange): Promise<void>;
  /** Put the proxy back as it was before `apply` (the `previous` states). */
  rollback(change: PoolChange): Promise<void>;
}

export function stateOf(states: Record<string, BackendState>, backend: string): BackendState {
  return states[backend] ?? 'enabled';
}
