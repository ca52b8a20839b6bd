import { setBackendSrv } from '@grafana/runtime';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import React from 'react';
import { of, throwError } from 'rxjs';
import type { DrillRecord, DryRunResponse, ScenarioView } from '../../api/drillTypes';
import { Drills } from '../../pages/Drills';
import { testIds } from '../testIds';
import { DrillReportView } from './DrillReportView';
import { drillMarks } from './DrillTopology';
import { drillPermission } from './role';

const BASE = '/api/plugin-proxy/okome-slo-app/controller/api/v1/drills';
const TOPOLOGY = '/api/plugin-proxy/okome-slo-app/controller/api/v1/topology';

// The controller's GET /api/v1/topology, trimmed to two nodes (CORE is the drill's target).
const topology = {
  cluster: 'okome',
  nodes: [
    { id: 'CORE', hostname: 'okome-core', roles: ['gpu-core'], health: 'UNAVAILABLE', reasons: [] },
    {
      id: 'NODE-01',
      hostname: 'okome-node-01',
      roles: ['ingress'],
      health: 'HEALTHY',
      reasons: [],
    },
  ],
  edges: [{ from: 'NODE-01', to: 'CORE', kind: 'pool', pool: 'engine' }],
  pools: [],
};

const scenario: ScenarioView = {
  name: 'isolate-core-gpu',
  title: 'Isolate the core GPU node',
  description: 'CORE unreachable: ingress failover and cache serving must hold',
  allowed: true,
  candidates: ['CORE'],
  count: 1,
  maxDurationSeconds: 120,
  expectedAlerts: ['OkomeEngineDown'],
  lastResult: { id: 'd-old', status: 'passed', endedAt: '2026-11-25T10:00:00Z' },
  score: 87.5,
};

const dryRun: DryRunResponse = {
  dryRun: true,
  scenario: 'isolate-core-gpu',
  targets: ['CORE'],
  simulated: true,
  preflight: {
    ok: true,
    checks: [{ name: 'no-firing-page', ok: true, detail: 'no page alert firing' }],
    budgetRemaining: 0.42,
  },
  plan: [{ phase: 'inject', node: 'CORE', action: 'simulator fault down', detail: 'POST /faults' }],
  expectedAlerts: [{ alertname: 'OkomeEngineDown', labels: { node: 'CORE' } }],
  expectedRouting: [{ pool: 'engine', backend: 'CORE', states: ['disabled'] }],
};

function record(status: DrillRecord['status'], extra: Partial<DrillRecord> = {}): DrillRecord {
  return {
    id: 'd-1',
    scenario: 'isolate-core-gpu',
    title: 'Isolate the core GPU node',
    targets: ['CORE'],
    status,
    phase: status === 'running' ? 'observe' : 'done',
    actions: [
      {
        id: 'a1',
        kind: 'simulator',
        node: 'CORE',
        description: 'simulator fault down on CORE',
        fault: 'down',
        state: status === 'running' ? 'applied' : 'rolled-back',
      },
    ],
    events: {
      start: '2026-11-25T10:00:00Z',
      fault: '2026-11-25T10:00:02Z',
      detect: '2026-11-25T10:00:14Z',
      ...(status === 'running'
        ? {}
        : { reroute: '2026-11-25T10:00:20Z', rollback: '2026-11-25T10:00:30Z' }),
    },
    steps: [
      {
        phase: 'inject',
        name: 'fault down on CORE',
        startedAt: '2026-11-25T10:00:00Z',
        result: 'ok',
      },
    ],
    probes: [
      {
        name: 'success-ratio',
        min: 0.99,
        last: 0.995,
        ok: true,
        samples: [
          { t: '2026-11-25T10:00:00Z', v: 1 },
          { t: '2026-11-25T10:00:02Z', v: 0.995 },
        ],
      },
    ],
    ...extra,
  };
}

/** A controller behind Grafana's proxy as the page sees it: one drill that runs until aborted. */
function fakeController() {
  const sent: BackendSrvRequest[] = [];
  let drill: DrillRecord | undefined;
  const ok = (data: unknown) => of({ data, status: 200, ok: true } as never);
  const srv = {
    fetch: (req: BackendSrvRequest) => {
      sent.push(req);
      const body = (req.data ?? {}) as Record<string, unknown>;
      if (req.url === BASE && req.method === 'GET') {
        return ok({
          active: drill?.status === 'running' ? drill.id : null,
          scenarios: [scenario],
          drills: drill ? [drill] : [],
        });
      }
      if (req.url === BASE && req.method === 'POST' && body.dryRun) return ok(dryRun);
      if (req.url === BASE && req.method === 'POST') {
        drill = record('running');
        return ok({ id: drill.id, status: 'running', drill });
      }
      if (req.url === `${BASE}/d-1/abort`) {
        drill = record('aborted', {
          abort: { reason: 'operator', detail: 'aborted by editor' },
          rollbackDone: true,
          report: {
            status: 'aborted',
            timeToDetectSeconds: null,
            timeToRerouteSeconds: null,
            timeToRecoverSeconds: 3,
            hypotheses: [{ name: 'success-ratio during', passed: true }],
          },
        });
        return ok(drill);
      }
      if (req.url === `${BASE}/d-1` && drill) return ok(drill);
      if (req.url === TOPOLOGY) return ok(topology);
      return throwError(() => ({ status: 404, data: { error: 'not_found' }, config: req }));
    },
  } as unknown as BackendSrv;
  setBackendSrv(srv);
  return sent;
}

describe('Failover drills page', () => {
  it('lists scenarios, shows the dry run, starts a drill, aborts it and shows it rolled back', async () => {
    const sent = fakeController();
    render(<Drills permission={drillPermission('Editor', 'ed')} />);
    const row = await screen.findByTestId(testIds.drills.scenario('isolate-core-gpu'));
    expect(row.textContent).toContain('CORE unreachable');
    expect(row.textContent).toContain('88 / 100');
    expect(row.textContent).toContain('passed');

    fireEvent.click(screen.getByTestId(testIds.drills.select('isolate-core-gpu')));
    const preflight = await screen.findByTestId(testIds.drills.preflight);
    expect(preflight.textContent).toContain('simulator fault down');
    expect(preflight.textContent).toContain('OkomeEngineDown');
    expect(preflight.textContent).toContain('42%');
    expect(sent.find((r) => r.method === 'POST')?.data).toEqual({
      scenario: 'isolate-core-gpu',
      dryRun: true,
    });

    fireEvent.click(screen.getByTestId(testIds.drills.start));
    const live = await screen.findByTestId(testIds.drills.live);
    expect(within(live).getByText(/fault down on CORE/)).toBeTruthy();
    expect(
      sent.some((r) => r.method === 'POST' && (r.data as { user?: string }).user === 'ed'),
    ).toBe(true);

    // The topology while it runs, the target marked as isolated and only the target.
    const mark = await screen.findByTestId(testIds.topology.nodeMark('CORE'));
    expect(mark.textContent).toBe('isolated by drill');
    expect(screen.getByTestId(testIds.topology.node('NODE-01'))).toBeTruthy();
    expect(screen.queryByTestId(testIds.topology.nodeMark('NODE-01'))).toBeNull();
    // Milestones so far with their times since the fault; the rest still to come.
    expect(screen.getByTestId(testIds.drills.event('detect')).textContent).toContain('(+12');
    expect(screen.getByTestId(testIds.drills.event('reroute')).textContent).toContain('—');

    fireEvent.click(await screen.findByTestId(testIds.drills.abort));
    await waitFor(
      () => expect(screen.getByTestId(testIds.drills.status).textContent).toContain('rolled back'),
      { timeout: 5000 },
    );
    expect(screen.queryByTestId(testIds.drills.abort)).toBeNull();
    expect(screen.getByTestId(testIds.drills.report).textContent).toContain('Time to recover');
    // A finished drill leaves the live topology.
    expect(screen.queryByTestId(testIds.drills.topology)).toBeNull();
  });

  it('a Viewer sees Start disabled with the reason and the page posts nothing', async () => {
    const sent = fakeController();
    render(<Drills permission={drillPermission('Viewer', 'viewer')} />);
    fireEvent.click(await screen.findByTestId(testIds.drills.select('isolate-core-gpu')));
    const start = await screen.findByTestId(testIds.drills.start);
    expect(start.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId(testIds.drills.startReason).textContent).toContain(
      'needs the Editor role',
    );
    fireEvent.click(start);
    // Not even the dry run: it is a POST, which Grafana keeps for Editors.
    expect(sent.filter((r) => r.method === 'POST')).toEqual([]);
    expect(screen.getByTestId(testIds.drills.preflight).textContent).toContain('OkomeEngineDown');
  });

  it('says when the controller is unreachable', async () => {
    setBackendSrv({
      fetch: (req: BackendSrvRequest) =>
        throwError(() => ({ status: 502, data: { error: 'ECONNREFUSED' }, config: req })),
    } as unknown as BackendSrv);
    render(<Drills permission={drillPermission('Admin')} />);
    const err = await screen.findByTestId(testIds.state.error);
    expect(err.textContent).toContain('okome-controller is unreachable (502)');
  });
});

describe('drill marks on the topology', () => {
  const action = (state: 'intent' | 'applied' | 'rolled-back', fault = 'down') => ({
    id: 'a',
    kind: 'simulator' as const,
    node: 'CORE',
    description: `fault ${fault}`,
    fault,
    state,
  });
  it.each([
    ['before the fault', [], 'drill target', 'info'],
    ['while the fault is being made', [action('intent')], 'isolated by drill', 'fault'],
    ['while a down fault is in', [action('applied')], 'isolated by drill', 'fault'],
    ['while a degrading fault is in', [action('applied', 'gpu-oom')], 'drill: gpu-oom', 'fault'],
    ['after the rollback', [action('rolled-back')], 'drill: rolled back', 'info'],
  ])('%s', (_, actions, label, tone) => {
    const marks = drillMarks(record('running', { targets: ['CORE', 'NODE-07'], actions }));
    expect(marks.get('CORE')).toMatchObject({ label, tone });
    // A target the drill has not acted on is marked as involved only.
    expect(marks.get('NODE-07')).toMatchObject({ label: 'drill target', tone: 'info' });
  });
});

describe('drill report', () => {
  it('shows the times, client errors, budget spent and each hypothesis', () => {
    render(
      <DrillReportView
        drill={record('failed', {
          rollbackDone: true,
          report: {
            status: 'failed',
            timeToDetectSeconds: 12,
            timeToRerouteSeconds: 20,
            timeToRecoverSeconds: 35,
            durationSeconds: 90,
            clientErrors: { failed: 3, requests: 300, ratio: 0.01 },
            budgetSpent: 0.002,
            hypotheses: [
              { name: 'alert OkomeEngineDown fired', passed: false, detail: 'not within 30s' },
              { name: 'success-ratio during', passed: true },
            ],
          },
        })}
      />,
    );
    const text = screen.getByTestId(testIds.drills.report).textContent ?? '';
    expect(text).toContain('3 of 300 requests (1%)');
    expect(text).toContain('fail: alert OkomeEngineDown fired — not within 30s');
    expect(text).toContain('pass: success-ratio during');
    expect(text).toContain('failed, rolled back');
  });

  it('names the missing role for anything below Editor', () => {
    expect(drillPermission('Editor').allowed).toBe(true);
    expect(drillPermission('Admin').allowed).toBe(true);
    expect(drillPermission(undefined)).toMatchObject({ allowed: false });
    expect(drillPermission('Viewer').reason).toContain('Your role is Viewer');
  });
});
