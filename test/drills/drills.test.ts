// Failover drills end to end on the shared simulated stack (OKOME inventory): each scenario the
// inventory allows runs through the controller's API under bounded load and passes, an operator
// abort rolls back, and afterwards the cluster is exactly as before: routing, no fault left by
// a drill, no drill silence still active.
import { readFileSync } from 'node:fs';
import type { DrillRecord, DrillListResponse } from '@okome/controller';
import { STACK } from '../setup/stack';
import { drillClient } from './cluster';
import { backgroundLoad } from './load';

jest.setTimeout(240_000);

const token = (): string => readFileSync(STACK.tokenFile, 'utf8').split('\n')[0]!.trim();

const {
  api,
  clusterState,
  calm: calmFor,
  waitDone,
} = drillClient(() => ({
  controller: STACK.controller,
  token: token(),
  simulator: STACK.simulator,
  alertmanager: STACK.alertmanager[0]!,
}));
const calm = () => calmFor(180_000);

const OKOME_SCENARIOS = [
  'lose-cache-node',
  'isolate-core-gpu',
  'gpu-memory-pressure',
  'isolate-gateway',
  'lose-ingress-node',
  'observability-node-loss',
];

describe('failover drills on the simulated OKOME cluster', () => {
  it('lists every scenario with its candidates', async () => {
    const list = (await (await api('GET', '/drills')).json()) as DrillListResponse;
    const byName = Object.fromEntries(list.scenarios.map((s) => [s.name, s]));
    for (const s of OKOME_SCENARIOS) expect(byName[s]).toMatchObject({ allowed: true });
    expect(byName['isolate-core-gpu']!.candidates).toEqual(['CORE']);
    expect(byName['ollama-node-loss']).toMatchObject({ allowed: false, candidates: [] });
  });

  it('a dry run names the simulator call on the target and changes nothing', async () => {
    const before = await calm();
    const res = await api('POST', '/drills', { scenario: 'isolate-core-gpu', dryRun: true });
    expect(res.status).toBe(200);
    const dry = (await res.json()) as { plan: { phase: string; node?: string; detail: string }[] };
    expect(dry.plan.find((p) => p.phase === 'inject' && p.node === 'CORE')!.detail).toBe(
      'POST http://127.0.0.1:9800/faults {"node":"CORE","kind":"down","params":{}}',
    );
    expect(await clusterState()).toEqual(before);
  });

  it.each(OKOME_SCENARIOS)('%s passes and leaves the cluster as it found it', async (scenario) => {
    const before = await calm();
    const load = backgroundLoad({ concurrency: 2 });
    let rec: DrillRecord;
    try {
      const res = await api('POST', '/drills', { scenario, user: 'e2e' });
      const body = (await res.json()) as { id: string; detail?: string };
      // On a refusal the detail names the preflight check (e.g. a page firing on the stack).
      expect({ status: res.status, detail: body.detail }).toEqual({
        status: 202,
        detail: undefined,
      });
      rec = await waitDone(body.id);
    } finally {
      await load.stop();
    }
    const failedHyps = rec.report!.hypotheses.filter((h) => !h.passed);
    expect({ status: rec.status, failedHyps, abort: rec.abort ?? null }).toEqual({
      status: 'passed',
      failedHyps: [],
      abort: null,
    });
    if (rec.alerts.some((a) => a.required)) expect(rec.report!.timeToDetectSeconds).not.toBeNull();
    if (rec.routing.length) expect(rec.report!.timeToRerouteSeconds).not.toBeNull();
    expect(rec.report!.timeToRecoverSeconds).not.toBeNull();
    expect(await calm()).toEqual(before);
  });

  it('an operator abort mid-drill rolls back and the cluster ends as it started', async () => {
    const before = await calm();
    const { id } = (await (
      await api('POST', '/drills', { scenario: 'lose-cache-node', targets: ['NODE-05'] })
    ).json()) as { id: string };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = (await (await api('GET', `/drills/${id}`)).json()) as DrillRecord;
      if (r.phase === 'observe') break;
      if (Date.now() > deadline || r.status !== 'running')
        throw new Error(`drill never reached observe: ${r.status}/${r.phase}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    expect((await api('POST', `/drills/${id}/abort`, { user: 'e2e' })).status).toBe(202);
    const rec = await waitDone(id);
    expect(rec).toMatchObject({
      status: 'aborted',
      abort: { reason: 'operator' },
      rollbackDone: true,
    });
    expect(await calm()).toEqual(before);
    const metrics = await (await fetch(`${STACK.controller}/metrics`)).text();
    expect(metrics).toContain(
      `okome_drill_phase{drill="${id}",scenario="lose-cache-node",phase="done"} 1`,
    );
  });
});
