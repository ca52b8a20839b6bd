// okome-controller through the plugin.json routes (Grafana adds the bearer token server-side).
import { CONTROLLER_PROXY } from '../constants';
import { requestJson } from './backend';
import { ApiError } from './errors';
import { parseTopology, TopologyFormatError } from './parseTopology';
import type { Topology } from './controllerTypes';

export async function fetchTopology(signal?: AbortSignal): Promise<Topology> {
  const raw = await requestJson<unknown>('controller', `${CONTROLLER_PROXY}/api/v1/topology`, {
    signal,
  });
  try {
    return parseTopology(raw);
  } catch (err) {
    if (err instanceof TopologyFormatError) {
      throw new ApiError(
        'controller',
        undefined,
        'okome-controller sent a topology the plugin cannot read',
        err.message,
      );
    }
    throw err;
  }
}

/** Health check used by the config page: an authenticated call, so a wrong token shows. */
export async function checkController(): Promise<string> {
  const topo = await fetchTopology();
  return `cluster ${topo.cluster}, ${topo.nodes.length} nodes, ${topo.pools.length} pools`;
}
