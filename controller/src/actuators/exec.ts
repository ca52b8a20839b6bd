// exec actuator: the pool's `execCommand` from the inventory, run by /bin/sh with the action in
// OKOME_* env vars, for proxies the controller does not speak natively. Exit 0 = applied.
import type { BackendState } from '@okome/provisioning';
import { ActuatorError } from '../errors';
import { run } from './proc';
import { stateOf } from './types';
import type { Actuator, PoolChange } from './types';

export class ExecActuator implements Actuator {
  readonly name = 'exec';
  private readonly ok = new Set<string>();

  constructor(private readonly timeoutMs = 30_000) {}

  private async invoke(
    change: PoolChange,
    phase: 'apply' | 'rollback',
    states: Record<string, BackendState>,
  ): Promise<void> {
    const cmd = change.pool.execCommand;
    if (!cmd)
      throw new ActuatorError(
        'exec',
        `pool ${change.pool.name} has actuator exec but no execCommand`,
      );
    const env = {
      ...process.env,
      OKOME_PHASE: phase,
      OKOME_ACTION_ID: change.actionId,
      OKOME_POOL: change.pool.name,
      OKOME_BACKEND: change.backend,
      OKOME_STATE: stateOf(states, change.backend),
      OKOME_PREVIOUS_STATE: stateOf(
        phase === 'apply' ? change.previous : change.desired,
        change.backend,
      ),
      OKOME_POOL_STATE: change.pool.backends
        .map((b) => `${b.node}=${stateOf(states, b.node)}`)
        .join(','),
    };
    const r = await run('/bin/sh', ['-c', cmd], { env, timeoutMs: this.timeoutMs });
    if (r.code !== 0)
      throw new ActuatorError(
        'exec',
        `pool ${change.pool.name}: "${cmd}" exited ${r.code}: ${r.stderr.trim().slice(0, 500)}`,
      );
  }

  async apply(change: PoolChange): Promise<void> {
    this.ok.delete(change.actionId);
    await this.invoke(change, 'apply', change.desired);
    this.ok.add(change.actionId);
  }

  /** The hook's exit status is its verification. */
  async verify(change: PoolChange): Promise<void> {
    if (!this.ok.delete(change.actionId))
      throw new ActuatorError(
        'exec',
        `pool ${change.pool.name}: no successful apply for action ${change.actionId}`,
      );
  }

  rollback(change: PoolChange): Promise<void> {
    return this.invoke(change, 'rollback', change.previous);
  }
}
