// okome-controller's drill API through the plugin-proxy routes (POST needs the Editor role there).
import { CONTROLLER_PROXY } from '../constants';
import { requestJson } from './backend';
import type { DrillListResponse, DrillRecord, DryRunResponse, StartedDrill } from './drillTypes';

const DRILLS = `${CONTROLLER_PROXY}/api/v1/drills`;

export function fetchDrills(signal?: AbortSignal): Promise<DrillListResponse> {
  return requestJson<DrillListResponse>('controller', DRILLS, { params: { limit: 50 }, signal });
}

export function fetchDrill(id: string, signal?: AbortSignal): Promise<DrillRecord> {
  return requestJson<DrillRecord>('controller', `${DRILLS}/${encodeURIComponent(id)}`, { signal });
}

/** The preflight: what would happen on which targets, nothing done. */
export function dryRunDrill(scenario: string, signal?: AbortSignal): Promise<DryRunResponse> {
  return requestJson<DryRunResponse>('controller', DRILLS, {
    method: 'POST',
    data: { scenario, dryRun: true },
    signal,
  });
}

export function startDrill(scenario: string, user?: string): Promise<StartedDrill> {
  return requestJson<StartedDrill>('controller', DRILLS, {
    method: 'POST',
    data: user ? { scenario, user } : { scenario },
  });
}

export function abortDrill(id: string, user?: string): Promise<DrillRecord> {
  return requestJson<DrillRecord>('controller', `${DRILLS}/${encodeURIComponent(id)}/abort`, {
    method: 'POST',
    data: user ? { user } : {},
  });
}
