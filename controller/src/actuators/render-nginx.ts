// The upstream file comes from @okome/provisioning, the same renderer the simulator and
// okome-provision use, so the controller and the initial config are byte-identical.
import { nginxUpstreamName, renderNginxUpstream } from '@okome/provisioning';
import type { BackendState, Inventory } from '@okome/provisioning';
import { ActuatorError } from '../errors';

export function renderUpstream(
  inv: Inventory,
  poolName: string,
  state: Record<string, BackendState> = {},
  opts: { loopback?: boolean } = {},
): string {
  try {
    return renderNginxUpstream(inv, poolName, state, opts);
  } catch (err) {
    throw new ActuatorError('nginx', (err as Error).message);
  }
}

export { nginxUpstreamName };
