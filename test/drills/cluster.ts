// What the drill e2e suites ask of a simulated stack: its controller's API, whether the cluster
// is as a drill should leave it (routing, drill faults, drill silences), and a quiet moment to
// start the next drill in.
import type { DrillListResponse, DrillRecord } from '@okome/controller';
import { getJson } from '../setup/http';

export interface DrillStack {
  controller: string;
  token: string;
  simulator: string;
  alertmanager: string;
}

export interface ClusterState {
  routing: string[];
  drillFaults: unknown[];
  drillSilences: string[];
}

/** `stack` is read on every call, so a suite can fill it in its beforeAll. */
export function drillClient(stack: () => DrillStack) {
  function api(method: string, path: string, body?: unknown): Promise<Response> {
    const s = stack();
    return fetch(`${s.controller}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  }

  async function clusterState(): Promise<ClusterState> {
    const routing = (await (await api('GET', '/routing')).json()) as {
      pools: { name: string; backends: { node: string; state: string }[] }[];
    };
    const faults = await getJson<{ faults: { params?: Record<string, unknown> }[] }>(
      `${stack().simulator}/faults`,
    );
    const silences = await getJson<{ id: string; comment: string; status: { state: string } }[]>(
      `${stack().alertmanager}/api/v2/silences`,
    );
    return {
      routing: routing.pools.flatMap((p) =>
        p.backends.map((b) => `${p.name}/${b.node}=${b.state}`),
      ),
      drillFaults: faults.faults.filter((f) => f.params?.okome_drill),
      drillSilences: silences
        .filter((s) => s.status.state === 'active' && s.comment.startsWith('okome drill'))
        .map((s) => s.id),
    };
  }

  /**
   * Waits until no drill runs, no drill fault is left, no page fires and the routing has not
   * changed for 3 s (a drill refuses to start while a page fires, and the stack may carry other
   * suites' changes; the drills must leave whatever they found exactly as it was).
   */
  async function calm(timeoutMs: number): Promise<ClusterState> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let since = Date.now();
    for (;;) {
      const s = await clusterState();
      const list = (await (await api('GET', '/drills')).json()) as DrillListResponse;
      const key = JSON.stringify(s);
      if (key !== last) {
        last = key;
        since = Date.now();
      }
      const pages = await getJson<unknown[]>(
        `${stack().alertmanager}/api/v2/alerts?filter=severity%3D%22page%22&silenced=false&inhibited=false`,
      );
      if (!list.active && !s.drillFaults.length && !pages.length && Date.now() - since >= 3000)
        return s;
      if (Date.now() > deadline) throw new Error(`cluster not calm: ${key} active=${list.active}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async function waitDone(id: string, timeoutMs = 200_000): Promise<DrillRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rec = (await (await api('GET', `/drills/${id}`)).json()) as DrillRecord;
      if (rec.status !== 'running' && rec.phase === 'done') return rec;
      if (Date.now() > deadline) throw new Error(`drill ${id} still ${rec.phase}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  return { api, clusterState, calm, waitDone };
}
