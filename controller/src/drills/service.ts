// The drill service: scenarios, preflight, one drill at a time, history and scores, replay of an
// unfinished drill on start (rolled back first, exactly once) and shutdown that rolls back.
import { randomUUID } from 'node:crypto';
import type { Inventory } from '@okome/provisioning';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { DrillJournal } from './journal';
import { DrillMetrics } from './metrics';
import { candidates, concreteActions, fill, planSteps, resolveTargets } from './plan';
import { scalar } from './probes';
import type {
  AlertsPort,
  AnnotationsPort,
  ExecPort,
  FaultsPort,
  MetricsPort,
  RoutingPort,
  SilencesPort,
} from './ports';
import { drillPoints, scenarioScore } from './report';
import { DrillRun, targetRoutingState } from './runner';
import type {
  AlertExpectationView,
  DrillListResponse,
  DrillRecord,
  DrillSummary,
  DryRunResponse,
  Preflight,
  PreflightCheck,
  RoutingExpectationView,
  Scenario,
  ScenarioView,
  StartDrillRequest,
} from './types';

export interface DrillServiceOptions {
  inventory: Inventory;
  stateDir: string;
  scenarios: Scenario[];
  metrics: MetricsPort;
  routing: RoutingPort;
  alerts?: AlertsPort;
  silences?: SilencesPort;
  faults?: FaultsPort;
  exec?: ExecPort;
  annotations?: AnnotationsPort;
  /** Node health for the min-healthy preflight (UNAVAILABLE nodes do not count as healthy). */
  health?: (node: string) => string | undefined;
  now?: () => number;
  log?: (line: string) => void;
}

export class PreflightError extends ConflictError {
  constructor(readonly preflight: Preflight) {
    super(
      `preflight: ${preflight.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}`,
    );
  }
  override get code(): string {
    return 'preflight_failed';
  }
}

export class DrillService {
  readonly journal: DrillJournal;
  readonly metrics = new DrillMetrics();
  private current?: DrillRun;
  private stopping = false;
  /** False until replay() has rolled back what a crash left: no new drill before that. */
  private replayed = false;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: DrillServiceOptions) {
    this.journal = new DrillJournal(o.stateDir);
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((l) => process.stderr.write(`okome-controller: drills: ${l}\n`));
    this.metrics.refresh(this.journal.list());
  }

  get scenarios(): Scenario[] {
    return this.o.scenarios;
  }

  scenario(name: string): Scenario {
    const s = this.o.scenarios.find((x) => x.name === name);
    if (!s)
      throw new NotFoundError(
        `scenario: no scenario ${JSON.stringify(name)} (known: ${this.o.scenarios.map((x) => x.name).join(', ')})`,
      );
    return s;
  }

  /** The running drill, if any (the topology API's activeDrill). */
  active(): { id: string; scenario: string; targets: string[]; phase: string } | null {
    const r = this.current?.rec;
    return r && r.status === 'running'
      ? { id: r.id, scenario: r.scenario, targets: r.targets, phase: r.phase }
      : null;
  }

  // ---- replay and shutdown ------------------------------------------------------------------

  /**
   * On start: every drill the journal shows unfinished (the controller died mid-drill) is
   * rolled back before anything else happens, and then closed as aborted.
   */
  async replay(): Promise<DrillRecord[]> {
    const out: DrillRecord[] = [];
    for (const rec of this.journal
      .list()
      .filter((r) => r.status === 'running' || !r.rollbackDone)) {
      const scenario = this.o.scenarios.find((s) => s.name === rec.scenario);
      if (!scenario) {
        this.log(
          `drill ${rec.id}: scenario ${rec.scenario} is gone; cannot roll back automatically`,
        );
        continue;
      }
      this.log(`drill ${rec.id} (${rec.scenario}) was unfinished: rolling it back`);
      rec.replayed = true;
      if (!rec.abort && !rec.error)
        rec.abort = {
          reason: 'controller-restart',
          detail: 'the controller stopped during the drill; rolled back on restart',
          at: new Date(this.now()).toISOString(),
        };
      const run = this.makeRun(rec, scenario);
      await run.rollback();
      rec.status = rec.status === 'running' ? 'aborted' : rec.status;
      if (!rec.endedAt) rec.endedAt = new Date(this.now()).toISOString();
      rec.phase = 'done';
      this.journal.save(rec);
      out.push(rec);
    }
    this.metrics.refresh(this.journal.list());
    this.replayed = true;
    return out;
  }

  /** SIGTERM / close: abort the running drill and wait for its rollback. */
  async stop(): Promise<void> {
    this.stopping = true;
    const run = this.current;
    if (!run) return;
    run.abort('controller-stopping', 'the controller is shutting down');
    await run.done.catch(() => undefined);
  }

  /** The kill switch: every running drill aborts and rolls back. */
  abortAll(reason: 'kill-switch' | 'operator', detail: string): string[] {
    const run = this.current;
    if (!run || run.rec.status !== 'running') return [];
    run.abort(reason, detail);
    return [run.rec.id];
  }

  // ---- API ----------------------------------------------------------------------------------

  list(limit = 50): DrillListResponse {
    const all = this.journal.list();
    return {
      active: this.active()?.id ?? null,
      scenarios: this.o.scenarios.map((s) => this.scenarioView(s, all)),
      drills: all.slice(-limit).reverse().map(summary),
    };
  }

  get(id: string): DrillRecord {
    const live = this.current?.rec;
    if (live && live.id === id) return structuredClone(live);
    const rec = this.journal.load(id);
    if (!rec) throw new NotFoundError(`id: no drill ${JSON.stringify(id)}`);
    return rec;
  }

  abort(id: string, user: string): DrillRecord {
    const rec = this.get(id);
    if (rec.status !== 'running' || this.current?.rec.id !== id)
      throw new ConflictError(`drill ${id} is not running (status ${rec.status})`);
    this.current.abort('operator', `aborted by ${user}`);
    return structuredClone(this.current.rec);
  }

  async start(
    body: unknown,
  ): Promise<DryRunResponse | { id: string; status: 'running'; drill: DrillRecord }> {
    const req = parseStart(body);
    const scenario = this.scenario(req.scenario);
    const targets = resolveTargets(this.o.inventory, scenario, req.targets);
    const preflight = await this.preflight(scenario, targets);
    if (req.dryRun)
      return {
        dryRun: true,
        scenario: scenario.name,
        targets,
        simulated: this.o.inventory.simulated,
        preflight,
        plan: planSteps(this.o.inventory, scenario, targets, this.o.faults?.url),
        expectedAlerts: this.alertViews(scenario, targets),
        expectedRouting: this.routingViews(scenario, targets),
      };
    if (!preflight.ok) throw new PreflightError(preflight);
    // Checked again after the awaits above: two POSTs must not both pass "no other drill".
    if (this.current || this.stopping || !this.replayed)
      throw new PreflightError({
        ...preflight,
        ok: false,
        checks: [
          ...preflight.checks,
          { name: 'no-other-drill', ok: false, detail: 'another drill started meanwhile' },
        ],
      });
    const rec = this.newRecord(scenario, targets, req.user ?? 'api', preflight);
    const run = this.makeRun(rec, scenario);
    this.current = run;
    this.journal.save(rec);
    this.metrics.phase(rec);
    void run.start().finally(() => {
      if (this.current === run) this.current = undefined;
      this.metrics.refresh(this.journal.list());
      this.metrics.phase(run.rec);
    });
    return { id: rec.id, status: 'running', drill: structuredClone(rec) };
  }

  async preflight(s: Scenario, targets: string[]): Promise<Preflight> {
    const inv = this.o.inventory;
    const checks: PreflightCheck[] = [];
    const add = (name: PreflightCheck['name'], ok: boolean, detail: string) =>
      checks.push({ name, ok, detail });
    add(
      'scenario-allowed',
      inv.drills.allowed.includes(s.name as never),
      inv.drills.allowed.includes(s.name as never)
        ? `allowed on ${inv.cluster}`
        : `not in drills.allowed of inventory ${inv.cluster}`,
    );
    const cur = this.active();
    add(
      'no-other-drill',
      !cur && !this.stopping && this.replayed,
      cur
        ? `drill ${cur.id} (${cur.scenario}) is running`
        : this.stopping
          ? 'the controller is stopping'
          : this.replayed
            ? 'no drill running'
            : 'unfinished drills are being rolled back (replay)',
    );
    const ks = this.o.routing.killSwitch();
    add('kill-switch', !ks, ks ? 'the kill switch is on' : 'off');
    let budget: number | null = null;
    try {
      budget = await scalar(this.o.metrics, s.preflight.budgetQuery);
      add(
        'budget-floor',
        budget === null || budget >= s.preflight.budgetFloor,
        budget === null
          ? 'no budget data (no traffic recorded yet): not enforced'
          : `${(budget * 100).toFixed(1)}% of the error budget left, floor ${s.preflight.budgetFloor * 100}%`,
      );
    } catch (err) {
      add('budget-floor', false, `Prometheus unreachable: ${(err as Error).message}`);
    }
    if (s.preflight.noFiringPage) {
      if (!this.o.alerts) add('no-firing-page', true, 'no Alertmanager configured: not checked');
      else
        try {
          const pages = await this.o.alerts.pages();
          add(
            'no-firing-page',
            pages.length === 0,
            pages.length
              ? `${pages.length} page(s) firing: ${[...new Set(pages.map((p) => p.labels.alertname))].join(', ')}`
              : 'no page firing',
          );
        } catch (err) {
          add('no-firing-page', false, `Alertmanager unreachable: ${(err as Error).message}`);
        }
    }
    const actions = concreteActions(inv, s, targets);
    if (s.preflight.minHealthy) {
      const problems: string[] = [];
      const snap = this.o.routing.snapshot();
      for (const pool of inv.routing.pools) {
        if (!pool.backends.some((b) => targets.includes(b.node))) continue;
        const left = pool.backends.filter(
          (b) =>
            !targets.includes(b.node) &&
            (snap[pool.name]?.[b.node] ?? 'enabled') === 'enabled' &&
            this.o.health?.(b.node) !== 'UNAVAILABLE',
        );
        if (left.length < pool.minHealthy)
          problems.push(
            `pool ${pool.name} would keep ${left.length} healthy backend(s), minimum ${pool.minHealthy}`,
          );
      }
      add(
        'min-healthy',
        problems.length === 0,
        problems.length ? problems.join('; ') : 'every pool keeps its minimum healthy backends',
      );
    }
    const exec = actions.filter((a) => a.kind === 'exec');
    const sim = actions.filter((a) => a.kind === 'simulator');
    if (exec.length)
      add(
        'real-faults',
        inv.drills.allowRealFaults && !!this.o.exec,
        inv.drills.allowRealFaults
          ? 'exec hooks allowed by drills.allowRealFaults'
          : 'exec hooks need drills.allowRealFaults: true in the inventory',
      );
    else if (sim.length)
      add(
        'real-faults',
        !!this.o.faults,
        this.o.faults
          ? `simulator faults via ${this.o.faults.url}`
          : 'no simulator fault API configured',
      );
    else add('real-faults', true, 'routing changes only (drain/disable through the actuators)');
    return { ok: checks.every((c) => c.ok), checks, budgetRemaining: budget };
  }

  renderMetrics(): string {
    return this.metrics.render();
  }

  // ---- internals ----------------------------------------------------------------------------

  private makeRun(rec: DrillRecord, scenario: Scenario): DrillRun {
    return new DrillRun(rec, scenario, {
      inventory: this.o.inventory,
      metrics: this.o.metrics,
      routing: this.o.routing,
      journal: this.journal,
      alerts: this.o.alerts,
      silences: this.o.silences,
      faults: this.o.faults,
      exec: this.o.exec,
      annotations: this.o.annotations,
      now: this.o.now,
      log: this.o.log,
      onPhase: (r) => this.metrics.phase(r),
    });
  }

  private alertViews(s: Scenario, targets: string[]): AlertExpectationView[] {
    const t = targets[0] as string;
    return s.expect.alerts.map((a) => ({
      alertname: a.alertname,
      labels: Object.fromEntries(
        Object.entries(a.labels).map(([k, v]) => [k, fill(v, this.o.inventory, t)]),
      ),
      required: a.required,
      silenced: a.silence,
      firedAt: null,
    }));
  }

  private routingViews(s: Scenario, targets: string[]): RoutingExpectationView[] {
    const t = targets[0] as string;
    return s.expect.routing.map((r) => ({
      pool: fill(r.pool, this.o.inventory, t),
      backend: fill(r.backend, this.o.inventory, t),
      states: r.states,
      changedAt: null,
      observed: null,
    }));
  }

  private newRecord(
    s: Scenario,
    targets: string[],
    user: string,
    preflight: Preflight,
  ): DrillRecord {
    const now = new Date(this.now()).toISOString();
    return {
      version: 1,
      id: `${now.replace(/[-:]/g, '').replace(/\..*/, '')}-${s.name}-${randomUUID().slice(0, 8)}`,
      scenario: s.name,
      title: s.title,
      cluster: this.o.inventory.cluster,
      targets,
      actor: `user:${user}`,
      status: 'running',
      phase: 'preflight',
      createdAt: now,
      steps: preflight.checks.map((c) => ({
        phase: 'preflight',
        name: c.name,
        startedAt: now,
        endedAt: now,
        result: c.ok ? 'ok' : 'failed',
        detail: c.detail,
      })),
      actions: [],
      silences: [],
      probes: s.hypothesis.map((h) => ({
        name: h.name,
        query: fill(h.query, this.o.inventory, targets[0] as string),
        ...(h.min !== undefined ? { min: h.min } : {}),
        ...(h.max !== undefined ? { max: h.max } : {}),
        last: null,
        ok: false,
        samples: [],
        before: null,
        during: null,
        after: null,
      })),
      alerts: this.alertViews(s, targets),
      routing: this.routingViews(s, targets),
      events: {},
      routingBefore: this.o.routing.snapshot(),
      budgetBefore: preflight.budgetRemaining,
      rollbackDone: false,
    };
  }

  private scenarioView(s: Scenario, all: DrillRecord[]): ScenarioView {
    const mine = all.filter((r) => r.scenario === s.name);
    const last = mine[mine.length - 1];
    return {
      name: s.name,
      title: s.title,
      description: s.description,
      allowed: this.o.inventory.drills.allowed.includes(s.name as never),
      candidates: candidates(this.o.inventory, s),
      count: s.targets.count,
      maxDurationSeconds: s.maxDurationMs / 1000,
      expectedAlerts: s.expect.alerts.map((a) => a.alertname),
      lastResult: last ? { id: last.id, status: last.status, endedAt: last.endedAt ?? null } : null,
      score: scenarioScore(mine.filter((r) => r.status !== 'running')),
      history: mine
        .slice(-20)
        .reverse()
        .map((r) => ({
          id: r.id,
          status: r.status,
          endedAt: r.endedAt ?? null,
          points: drillPoints(r),
        })),
    };
  }
}

function summary(r: DrillRecord): DrillSummary {
  return {
    id: r.id,
    scenario: r.scenario,
    targets: r.targets,
    status: r.status,
    phase: r.phase,
    createdAt: r.createdAt,
    endedAt: r.endedAt ?? null,
    abortReason: r.abort?.reason ?? null,
    timeToDetectSeconds: r.report?.timeToDetectSeconds ?? null,
    timeToRerouteSeconds: r.report?.timeToRerouteSeconds ?? null,
    timeToRecoverSeconds: r.report?.timeToRecoverSeconds ?? null,
  };
}

/** POST /api/v1/drills body → StartDrillRequest; every problem names its field. */
export function parseStart(body: unknown): StartDrillRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError(
      'body',
      'expected a JSON object {scenario, targets?, dryRun?, user?}',
    );
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['scenario', 'targets', 'dryRun', 'user'].includes(k))
      throw new ValidationError(k, 'unknown field (expected scenario, targets, dryRun, user)');
  if (o.scenario === undefined) throw new ValidationError('scenario', 'required field is missing');
  if (typeof o.scenario !== 'string' || !/^[a-z0-9-]{1,64}$/.test(o.scenario))
    throw new ValidationError(
      'scenario',
      `expected a scenario name, got ${JSON.stringify(o.scenario)?.slice(0, 80)}`,
    );
  if (
    o.targets !== undefined &&
    (!Array.isArray(o.targets) || o.targets.some((t) => typeof t !== 'string' || t.length > 128))
  )
    throw new ValidationError('targets', 'expected a list of node ids');
  if (o.dryRun !== undefined && typeof o.dryRun !== 'boolean')
    throw new ValidationError('dryRun', 'expected true or false');
  if (o.user !== undefined && (typeof o.user !== 'string' || !/^[\w.@-]{1,64}$/.test(o.user)))
    throw new ValidationError('user', 'must be a name of letters, digits, ".", "@", "-" or "_"');
  return {
    scenario: o.scenario,
    ...(o.targets ? { targets: o.targets as string[] } : {}),
    ...(o.dryRun !== undefined ? { dryRun: o.dryRun } : {}),
    ...(o.user ? { user: o.user as string } : {}),
  };
}

export { targetRoutingState };
