// The drill state machine over fakes of Prometheus, Alertmanager, the simulator and routing:
// each transition, each abort reason, and the rollback that always runs.
import { FakeFaults, finished, harness, testScenario } from './fakes.test-support';
import type { Harness } from './fakes.test-support';
import { DrillService, PreflightError } from './service';
import type { DrillRecord } from './types';

let h: Harness;
afterEach(() => h?.cleanup());

async function run(
  hh: Harness,
  body: object = { scenario: 'isolate-core-gpu' },
): Promise<DrillRecord> {
  h = hh;
  await h.service.replay();
  const out = await h.service.start(body);
  if ('dryRun' in out) throw new Error('unexpected dry run');
  return finished(h, out.id);
}

const phases = (rec: DrillRecord): string[] => [...new Set(rec.steps.map((s) => s.phase))];

describe('drill state machine', () => {
  it('passes through every phase: detect, reroute, rollback, recover, report', async () => {
    const rec = await run(harness());
    expect(rec.status).toBe('passed');
    expect(phases(rec)).toEqual([
      'preflight',
      'steady-state-before',
      'inject',
      'observe',
      'rollback',
      'steady-state-after',
    ]);
    expect(Object.keys(rec.events)).toEqual([
      'start',
      'fault',
      'detect',
      'reroute',
      'rollback',
      'recovered',
      'end',
    ]);
    const r = rec.report!;
    expect(r.timeToDetectSeconds).toBeGreaterThanOrEqual(0);
    expect(r.timeToRerouteSeconds).toBeGreaterThanOrEqual(0);
    expect(r.timeToRecoverSeconds).toBeGreaterThan(0);
    expect(r.hypotheses.every((x) => x.passed)).toBe(true);
    // The fault was made once, tagged with the drill, and removed once.
    expect(h.faults.injected).toHaveLength(1);
    expect(h.faults.injected[0]!.params).toEqual({ okome_drill: rec.id });
    expect(h.faults.removed).toEqual([h.faults.injected[0]!.id]);
    expect(h.faults.faults).toEqual([]);
    expect(rec.rollbackDone).toBe(true);
  });

  it('silences only the expected alerts marked for silencing, and expires them at the end', async () => {
    const rec = await run(harness());
    expect(h.silences.created).toHaveLength(1);
    expect(h.silences.created[0]!.matchers.map((m) => `${m.name}=${m.value}`)).toEqual([
      'alertname=ErrorBudgetBurn',
      'hop=engine',
    ]);
    expect(h.silences.expired).toEqual([h.silences.created[0]!.id]);
    expect(rec.silences).toEqual([]);
  });

  it('fails the drill when the expected alert never fires (alerting is broken), and still rolls back', async () => {
    const hh = harness();
    hh.faults.onInject = (f) => setTimeout(() => hh.routing.put('engine', f.node, 'disabled'), 50);
    const remove = hh.faults.remove.bind(hh.faults);
    hh.faults.remove = async (id) => {
      await remove(id);
      hh.routing.put('engine', 'CORE', 'enabled');
    };
    const rec = await run(hh);
    expect(rec.status).toBe('failed');
    const alert = rec.report!.hypotheses.find((x) => x.name === 'alert OkomeBackendDown fires')!;
    expect(alert).toMatchObject({
      passed: false,
      detail: expect.stringContaining('alerting for this failure is broken'),
    });
    expect(rec.report!.timeToDetectSeconds).toBeNull();
    expect(h.faults.faults).toEqual([]);
  });

  it('fails when routing never changes', async () => {
    const hh = harness();
    hh.faults.onInject = (f) =>
      setTimeout(
        () =>
          hh.alerts.firingNow.push({
            labels: { alertname: 'OkomeBackendDown', node: f.node },
            startsAt: new Date().toISOString(),
          }),
        50,
      );
    const rec = await run(hh);
    expect(rec.status).toBe('failed');
    expect(
      rec.report!.hypotheses.find((x) => x.name.startsWith('routing engine/CORE'))!.passed,
    ).toBe(false);
  });

  it('aborts before injecting anything when the steady state is not met', async () => {
    const hh = harness();
    hh.metrics.values.set('up{job="prometheus"}', 1);
    const rec = await run(hh);
    expect(rec.status).toBe('aborted');
    expect(rec.abort!.reason).toBe('steady-state-before');
    expect(rec.abort!.detail).toContain('prom-up=1');
    expect(h.faults.injected).toHaveLength(0);
    expect(h.silences.created).toHaveLength(0);
  });

  it('aborts when a probe stays outside its tolerance longer than its grace', async () => {
    const hh = harness();
    hh.faults.onInject = () => setTimeout(() => hh.metrics.values.set('success_ratio', 0.5), 20);
    const remove = hh.faults.remove.bind(hh.faults);
    hh.faults.remove = async (id) => {
      await remove(id);
      hh.metrics.values.set('success_ratio', 1);
    };
    const rec = await run(hh);
    expect(rec.status).toBe('aborted');
    expect(rec.abort!.reason).toBe('probe-out-of-tolerance');
    expect(rec.abort!.detail).toContain('success=0.5');
    expect(h.faults.faults).toEqual([]);
    expect(rec.probes.find((p) => p.name === 'success')!.during).toBe(false);
  });

  it('aborts on error budget burn above the threshold', async () => {
    const hh = harness();
    hh.faults.onInject = () => hh.metrics.values.set('burn_rate', 80);
    const rec = await run(hh);
    expect(rec.abort!.reason).toBe('budget-burn');
    expect(h.faults.faults).toEqual([]);
  });

  it('aborts at maxDuration', async () => {
    // Expectations that never settle keep it observing until the limit.
    const hh = harness(
      testScenario().name ? { ...testScenario(), maxDurationMs: 400 } : testScenario(),
      false,
    );
    const rec = await run(hh);
    expect(rec.abort!.reason).toBe('max-duration');
    expect(h.faults.faults).toEqual([]);
  });

  it('aborts when Prometheus becomes unreachable', async () => {
    const hh = harness();
    hh.faults.onInject = () => (hh.metrics.down = true);
    const remove = hh.faults.remove.bind(hh.faults);
    hh.faults.remove = async (id) => {
      await remove(id);
      hh.metrics.down = false;
    };
    const rec = await run(hh);
    expect(rec.abort!.reason).toBe('prometheus-unreachable');
    expect(h.faults.faults).toEqual([]);
  });

  it('aborts on the kill switch and rolls back', async () => {
    const hh = harness(undefined, false);
    hh.faults.onInject = () => setTimeout(() => (hh.routing.kill = true), 60);
    const rec = await run(hh);
    expect(rec.abort!.reason).toBe('kill-switch');
    expect(h.faults.removed).toHaveLength(1);
  });

  it('aborts on an operator abort, and a second abort is a conflict', async () => {
    h = harness(undefined, false);
    await h.service.replay();
    const out = await h.service.start({ scenario: 'isolate-core-gpu', user: 'alice' });
    if ('dryRun' in out) throw new Error('dry run');
    while (!h.faults.injected.length) await new Promise((r) => setTimeout(r, 10));
    h.service.abort(out.id, 'alice');
    const rec = await finished(h, out.id);
    expect(rec.abort).toMatchObject({ reason: 'operator', detail: 'aborted by alice' });
    expect(h.faults.faults).toEqual([]);
    expect(() => h.service.abort(out.id, 'alice')).toThrow(/not running/);
  });

  it('ends in error when the fault cannot be made, and rolls back what it journaled', async () => {
    const hh = harness();
    hh.faults.failInject = true;
    const rec = await run(hh);
    expect(rec.status).toBe('error');
    expect(rec.error).toContain('HTTP 400');
    expect(rec.actions[0]!.state).toBe('rolled-back');
    expect(h.silences.expired).toEqual(h.silences.created.map((s) => s.id));
  });

  it('on shutdown (SIGTERM) aborts the running drill and waits for its rollback', async () => {
    h = harness(undefined, false);
    await h.service.replay();
    const out = await h.service.start({ scenario: 'isolate-core-gpu' });
    if ('dryRun' in out) throw new Error('dry run');
    while (!h.faults.injected.length) await new Promise((r) => setTimeout(r, 10));
    await h.service.stop();
    const rec = h.service.get(out.id);
    expect(rec.abort!.reason).toBe('controller-stopping');
    expect(rec.status).toBe('aborted');
    expect(h.faults.faults).toEqual([]);
  });

  it('retries a rollback the guardrails refuse (hold-down) until it goes through', async () => {
    const s = testScenario();
    s.method = [{ kind: 'routing', pool: 'engine', state: 'drain' }];
    s.expect = {
      alerts: [],
      routing: [{ pool: 'engine', backend: 'CORE', states: ['drain'], withinMs: 500 }],
    };
    const hh = harness(s, false);
    hh.routing.refuseEnable = 2;
    const rec = await run(hh);
    expect(rec.status).toBe('passed');
    expect(hh.routing.calls.map((c) => `${c.backend}:${c.to}`)).toEqual([
      'CORE:drain',
      'CORE:enabled',
      'CORE:enabled',
      'CORE:enabled',
    ]);
    expect(hh.routing.calls.every((c) => c.actor === `drill:${rec.id}`)).toBe(true);
    expect(hh.routing.state.engine ?? {}).toEqual({});
  });

  it('fails recovery when routing is not back as before within the recovery time', async () => {
    const hh = harness();
    // The controller never re-enables CORE: the fault goes, routing stays changed.
    hh.faults.remove = FakeFaults.prototype.remove.bind(hh.faults);
    const rec = await run(hh);
    expect(rec.status).toBe('failed');
    expect(rec.report!.hypotheses.find((x) => x.name === 'cluster recovered')!.passed).toBe(false);
    expect(rec.steps.find((s) => s.phase === 'steady-state-after')!.detail).toContain(
      'engine/CORE is disabled, was enabled',
    );
  });
});

describe('preflight', () => {
  it('refuses a second drill while one runs', async () => {
    h = harness(undefined, false);
    await h.service.replay();
    await h.service.start({ scenario: 'isolate-core-gpu' });
    const err = await h.service.start({ scenario: 'isolate-core-gpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect(
      (err as PreflightError).preflight.checks.find((c) => c.name === 'no-other-drill')!.ok,
    ).toBe(false);
    await h.service.stop();
  });

  it.each([
    ['kill-switch', (x: Harness) => (x.routing.kill = true)],
    [
      'budget-floor',
      (x: Harness) => x.metrics.values.set('slo:period_error_budget_remaining:ratio', 0.05),
    ],
    [
      'no-firing-page',
      (x: Harness) =>
        (x.alerts.pagesNow = [{ labels: { alertname: 'ErrorBudgetBurn' }, startsAt: '' }]),
    ],
    [
      'min-healthy',
      (x: Harness) => {
        x.routing.put('engine', 'NODE-07', 'disabled');
        x.routing.put('engine', 'NODE-08', 'disabled');
      },
    ],
    ['scenario-allowed', (x: Harness) => (x.opts.inventory.drills.allowed = [])],
  ])('refuses when %s does not hold, and injects nothing', async (check, breakIt) => {
    h = harness();
    await h.service.replay();
    breakIt(h);
    const err = (await h.service
      .start({ scenario: 'isolate-core-gpu' })
      .catch((e: unknown) => e)) as PreflightError;
    expect(err).toBeInstanceOf(PreflightError);
    expect(err.preflight.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([check]);
    expect(h.faults.injected).toHaveLength(0);
  });

  it('a dry run shows the plan on the targets and changes nothing', async () => {
    h = harness();
    await h.service.replay();
    const out = await h.service.start({ scenario: 'isolate-core-gpu', dryRun: true });
    if (!('dryRun' in out)) throw new Error('not a dry run');
    expect(out.targets).toEqual(['CORE']);
    expect(out.plan.find((p) => p.phase === 'inject' && p.node === 'CORE')!.detail).toBe(
      'POST http://127.0.0.1:1/faults {"node":"CORE","kind":"down","params":{}}',
    );
    expect(out.plan.map((p) => p.phase)).toContain('rollback');
    expect(out.expectedAlerts.map((a) => `${a.alertname}${JSON.stringify(a.labels)}`)).toEqual([
      'OkomeBackendDown{"node":"CORE"}',
      'ErrorBudgetBurn{"hop":"engine"}',
    ]);
    expect(h.faults.injected).toHaveLength(0);
    expect(h.service.list().drills).toEqual([]);
  });

  it('on a real cluster a simulator fault becomes its routing alternative (the safe default)', async () => {
    h = harness();
    h.opts.inventory.simulated = false;
    await h.service.replay();
    const out = await h.service.start({ scenario: 'isolate-core-gpu', dryRun: true });
    if (!('dryRun' in out)) throw new Error('not a dry run');
    expect(out.plan.filter((p) => p.phase === 'inject' && p.node).map((p) => p.detail)).toEqual([
      "set engine/CORE to drain through the engine pool's actuator (guardrails apply)",
    ]);
  });
});

describe('replay after a crash', () => {
  it('rolls an unfinished drill back exactly once', async () => {
    h = harness(undefined, false);
    await h.service.replay();
    const out = await h.service.start({ scenario: 'isolate-core-gpu' });
    if ('dryRun' in out) throw new Error('dry run');
    while (!h.service.get(out.id).actions.some((a) => a.state === 'applied'))
      await new Promise((r) => setTimeout(r, 5));
    // "kill -9": the journal stays as it is on disk; a new service over the same state dir starts.
    const onDisk = h.service.journal.load(out.id)!;
    expect(onDisk.status).toBe('running');
    const stuckFaults = [...h.faults.faults];
    const second = new DrillService({ ...h.opts });
    const replayed = await second.replay();
    expect(replayed.map((r) => r.id)).toEqual([out.id]);
    expect(h.faults.removed).toEqual(stuckFaults.map((f) => f.id));
    const rec = second.get(out.id);
    expect(rec).toMatchObject({
      status: 'aborted',
      replayed: true,
      rollbackDone: true,
      phase: 'done',
    });
    expect(rec.abort!.reason).toBe('controller-restart');
    // A later restart finds nothing to do.
    expect(await new DrillService({ ...h.opts }).replay()).toEqual([]);
    expect(h.faults.removed).toHaveLength(stuckFaults.length);
    await h.service.stop();
  });
});

describe('history and score', () => {
  it('lists finished drills with a score per scenario', async () => {
    const rec = await run(harness());
    const list = h.service.list();
    expect(list.drills[0]).toMatchObject({
      id: rec.id,
      status: 'passed',
      scenario: 'isolate-core-gpu',
    });
    const s = list.scenarios.find((x) => x.name === 'isolate-core-gpu')!;
    expect(s).toMatchObject({
      score: 100,
      lastResult: { id: rec.id, status: 'passed' },
      candidates: ['CORE'],
    });
    expect(h.service.renderMetrics()).toContain(
      'okome_drill_score{scenario="isolate-core-gpu"} 100',
    );
    expect(h.service.renderMetrics()).toContain(
      `okome_drill_phase{drill="${rec.id}",scenario="isolate-core-gpu",phase="done"} 1`,
    );
  });
});
