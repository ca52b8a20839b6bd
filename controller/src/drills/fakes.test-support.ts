// Fakes of the drill ports for unit tests only (the e2e tests use the real stack). Each fake
// keeps what was asked of it so tests can assert what a user would see happen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendState, Inventory } from '@okome/provisioning';
import type { Outcome } from '../engine';
import { testInventory } from '../testing/fixtures';
import type {
  AlertsPort,
  FaultsPort,
  FiringAlert,
  MetricsPort,
  PromSample,
  RoutingPort,
  SilencesPort,
  SimulatorFault,
} from './ports';
import { parseScenario } from './scenario';
import type { DrillRecord, Scenario } from './types';
import { DrillService } from './service';
import type { DrillServiceOptions } from './service';

export class FakeMetrics implements MetricsPort {
  /** query substring → value (null = no data); first match wins. */
  values = new Map<string, number | null>();
  down = false;
  queries: string[] = [];
  async query(q: string): Promise<PromSample[]> {
    this.queries.push(q);
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:9090');
    for (const [k, v] of this.values)
      if (q.includes(k)) return v === null ? [] : [{ metric: {}, value: v }];
    return [];
  }
}

export class FakeFaults implements FaultsPort {
  readonly url = 'http://127.0.0.1:1';
  faults: SimulatorFault[] = [];
  injected: SimulatorFault[] = [];
  removed: string[] = [];
  failInject = false;
  onInject?: (f: SimulatorFault) => void;
  private n = 0;
  async inject(req: {
    node: string;
    kind: string;
    params: Record<string, unknown>;
  }): Promise<SimulatorFault> {
    if (this.failInject) throw new Error('simulator POST /faults: HTTP 400 node: unknown');
    const f = { id: `f${++this.n}`, node: req.node, kind: req.kind, params: req.params };
    this.faults.push(f);
    this.injected.push(f);
    this.onInject?.(f);
    return f;
  }
  async list(): Promise<SimulatorFault[]> {
    return [...this.faults];
  }
  async remove(id: string): Promise<void> {
    this.removed.push(id);
    this.faults = this.faults.filter((f) => f.id !== id);
  }
}

export class FakeAlerts implements AlertsPort {
  firingNow: FiringAlert[] = [];
  pagesNow: FiringAlert[] = [];
  async firing(alertname: string, labels: Record<string, string>): Promise<FiringAlert[]> {
    return this.firingNow.filter(
      (a) =>
        a.labels.alertname === alertname &&
        Object.entries(labels).every(([k, v]) => a.labels[k] === v),
    );
  }
  async pages(): Promise<FiringAlert[]> {
    return this.pagesNow;
  }
}

export class FakeSilences implements SilencesPort {
  created: { id: string; matchers: { name: string; value: string }[] }[] = [];
  expired: string[] = [];
  async create(req: { matchers: { name: string; value: string }[] }): Promise<string> {
    const id = `s${this.created.length + 1}`;
    this.created.push({ id, matchers: req.matchers });
    return id;
  }
  async expire(id: string): Promise<void> {
    this.expired.push(id);
  }
}

export class FakeRouting implements RoutingPort {
  state: Record<string, Record<string, BackendState>> = {};
  kill = false;
  calls: { pool: string; backend: string; to: BackendState; actor: string }[] = [];
  refuseEnable = 0;
  snapshot(): Record<string, Record<string, BackendState>> {
    return structuredClone(this.state);
  }
  async set(
    pool: string,
    backend: string,
    to: BackendState,
    reason: string,
    actor: string,
  ): Promise<Outcome> {
    this.calls.push({ pool, backend, to, actor });
    if (to === 'enabled' && this.refuseEnable > 0) {
      this.refuseEnable--;
      return { result: 'refused', rule: 'hold-down', reason: 'hold-down 1s' };
    }
    this.put(pool, backend, to);
    return { result: 'applied', pool, backend, to, reason };
  }
  put(pool: string, backend: string, to: BackendState): void {
    if (to === 'enabled') delete this.state[pool]?.[backend];
    else (this.state[pool] ??= {})[backend] = to;
  }
  killSwitch(): boolean {
    return this.kill;
  }
}

/** A scenario in the shape of isolate-core-gpu with test-sized timings. */
export function testScenario(overrides = ''): Scenario {
  const text = `
name: isolate-core-gpu
title: Isolate CORE (test)
description: test scenario
targets: { roles: [gpu-core], count: 1 }
maxDuration: 3s
interval: 50ms
hypothesis:
  - { name: prom-up, query: 'count(up{job="prometheus"} == 1)', min: 2, grace: 200ms }
  - { name: success, query: 'success_ratio', min: 0.99, grace: 200ms, noData: pass }
method:
  - simulator: { fault: down }
expect:
  alerts:
    - { alertname: OkomeBackendDown, labels: { node: '{{target}}' }, within: 600ms, silence: false }
    - { alertname: ErrorBudgetBurn, labels: { hop: engine }, required: false }
  routing:
    - { pool: engine, backend: '{{target}}', states: [disabled], within: 600ms }
hold: 100ms
abort:
  budgetBurn: { query: 'burn_rate', max: 50, for: 150ms }
  prometheusUnreachable: 250ms
recovery: { within: 800ms }
${overrides}`;
  return parseScenario(text, 'isolate-core-gpu.yaml');
}

export function simulatedInventory(): Inventory {
  const inv = testInventory();
  inv.simulated = true;
  inv.drills.allowed = ['isolate-core-gpu', 'lose-cache-node'];
  return inv;
}

export interface Harness {
  service: DrillService;
  metrics: FakeMetrics;
  faults: FakeFaults;
  alerts: FakeAlerts;
  silences: FakeSilences;
  routing: FakeRouting;
  dir: string;
  cleanup(): void;
  opts: DrillServiceOptions;
}

/**
 * A service over fakes where the cluster reacts like the real one: the fault makes the alert
 * fire and the controller disable CORE; removing it resolves both.
 */
export function harness(scenario = testScenario(), reacts = true): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'okome-drills-'));
  const metrics = new FakeMetrics();
  metrics.values.set('up{job="prometheus"}', 2);
  metrics.values.set('success_ratio', 1);
  metrics.values.set('burn_rate', 1);
  const faults = new FakeFaults();
  const alerts = new FakeAlerts();
  const silences = new FakeSilences();
  const routing = new FakeRouting();
  if (reacts) {
    faults.onInject = (f) => {
      setTimeout(() => {
        if (!faults.faults.includes(f)) return;
        alerts.firingNow.push({
          labels: { alertname: 'OkomeBackendDown', node: f.node },
          startsAt: new Date().toISOString(),
        });
        routing.put('engine', f.node, 'disabled');
      }, 80);
    };
    const remove = faults.remove.bind(faults);
    faults.remove = async (id) => {
      const f = faults.faults.find((x) => x.id === id);
      await remove(id);
      if (f)
        setTimeout(() => {
          alerts.firingNow = alerts.firingNow.filter((a) => a.labels.node !== f.node);
          routing.put('engine', f.node, 'enabled');
        }, 80);
    };
  }
  const opts: DrillServiceOptions = {
    inventory: simulatedInventory(),
    stateDir: dir,
    scenarios: [scenario],
    metrics,
    routing,
    alerts,
    silences,
    faults,
    log: () => undefined,
  };
  const service = new DrillService(opts);
  return {
    service,
    metrics,
    faults,
    alerts,
    silences,
    routing,
    dir,
    opts,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Waits until the drill is no longer running; returns its final record. */
export async function finished(h: Harness, id: string, timeoutMs = 10_000): Promise<DrillRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = h.service.get(id);
    if (rec.status !== 'running' && rec.phase === 'done') return rec;
    if (Date.now() > deadline) throw new Error(`drill ${id} still ${rec.status}/${rec.phase}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
