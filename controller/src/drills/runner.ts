// One drill as a state machine: steady state before → inject → observe → rollback → steady state
// after → report. Whatever happens after the first fault (pass, failure, abort, error, SIGTERM),
// the `finally` runs the rollback; after kill -9 the service replays it from the journal.
import { randomUUID } from 'node:crypto';
import type { BackendState, Inventory } from '@okome/provisioning';
import { concreteActions } from './plan';
import { readProbe, scalar } from './probes';
import type {
  AlertsPort,
  AnnotationsPort,
  ExecPort,
  FaultsPort,
  MetricsPort,
  RoutingPort,
  SilencesPort,
} from './ports';
import { buildReport } from './report';
import type { DrillJournal } from './journal';
import type {
  AbortReason,
  DrillAction,
  DrillPhase,
  DrillRecord,
  DrillStep,
  ProbeView,
  Scenario,
} from './types';

export interface DrillPorts {
  inventory: Inventory;
  metrics: MetricsPort;
  routing: RoutingPort;
  journal: DrillJournal;
  alerts?: AlertsPort;
  silences?: SilencesPort;
  faults?: FaultsPort;
  exec?: ExecPort;
  annotations?: AnnotationsPort;
  now?: () => number;
  log?: (line: string) => void;
  /** Called after every phase change (the okome_drill_phase gauge). */
  onPhase?: (rec: DrillRecord) => void;
}

/** Thrown inside the run to leave the observe loop; carries why. */
export class DrillAbort extends Error {
  constructor(
    readonly reason: AbortReason,
    detail: string,
  ) {
    super(detail);
  }
}

const MAX_SAMPLES = 300;
/** Simulator faults expire on their own this long after the drill's worst case. */
const FAULT_SAFETY_MS = 60_000;
/** Silences expire on their own this long after the drill's worst case. */
const SILENCE_SAFETY_MS = 5 * 60_000;

export const DRILL_TAG = 'okome_drill';

export function targetRoutingState(routing: RoutingPort, pool: string, node: string): BackendState {
  return routing.snapshot()[pool]?.[node] ?? 'enabled';
}

export class DrillRun {
  private readonly ac = new AbortController();
  private abortInfo?: DrillAbort;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  /** Resolves when the run (including its rollback) is over. */
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly rec: DrillRecord,
    readonly scenario: Scenario,
    private readonly p: DrillPorts,
  ) {
    this.now = p.now ?? Date.now;
    this.log = p.log ?? ((l) => process.stderr.write(`okome-controller: drill ${rec.id}: ${l}\n`));
  }

  /** Operator abort, kill switch or shutdown: the observe loop stops, the rollback runs. */
  abort(reason: AbortReason, detail: string): void {
    if (this.abortInfo) return;
    this.abortInfo = new DrillAbort(reason, detail);
    this.ac.abort(this.abortInfo);
  }

  get aborted(): DrillAbort | undefined {
    return this.abortInfo;
  }

  start(): Promise<void> {
    this.done = this.run();
    return this.done;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private iso(t = this.now()): string {
    return new Date(t).toISOString();
  }

  private save(): void {
    this.p.journal.save(this.rec);
  }

  private phase(ph: DrillPhase): void {
    this.rec.phase = ph;
    this.save();
    this.p.onPhase?.(this.rec);
  }

  private step(
    phase: DrillPhase,
    name: string,
    result: DrillStep['result'],
    detail: string,
  ): DrillStep {
    const s: DrillStep = { phase, name, startedAt: this.iso(), result, detail };
    if (result !== 'running') s.endedAt = s.startedAt;
    this.rec.steps.push(s);
    this.save();
    return s;
  }

  private end(s: DrillStep, result: DrillStep['result'], detail?: string): void {
    s.result = result;
    s.endedAt = this.iso();
    if (detail !== undefined) s.detail = detail;
    this.save();
  }

  private event(name: keyof DrillRecord['events'], text: string): void {
    if (this.rec.events[name]) return;
    this.rec.events[name] = this.iso();
    this.save();
    const a = this.p.annotations;
    if (a)
      void a
        .annotate({
          time: this.now(),
          text: `drill ${this.rec.scenario} (${this.rec.id}): ${text}`,
          tags: ['okome', 'drill', this.rec.scenario, name],
        })
        .catch((err) => this.log(`annotation ${name} not written: ${(err as Error).message}`));
  }

  private sleep(ms: number, interruptible = true): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.ac.signal;
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      if (interruptible) signal.addEventListener('abort', done, { once: true });
    });
  }

  private checkAbort(): void {
    if (this.abortInfo) throw this.abortInfo;
    if (this.p.routing.killSwitch()) {
      this.abort('kill-switch', 'the kill switch was turned on');
      throw this.abortInfo;
    }
    const elapsed = this.now() - Date.parse(this.rec.createdAt);
    if (elapsed > this.scenario.maxDurationMs) {
      this.abort(
        'max-duration',
        `ran ${Math.round(elapsed / 1000)}s, longer than maxDuration ${this.scenario.maxDurationMs / 1000}s`,
      );
      throw this.abortInfo;
    }
  }

  private probeView(name: string): ProbeView {
    return this.rec.probes.find((p) => p.name === name) as ProbeView;
  }

  /** Reads every probe once; records samples. Returns the readings and whether Prometheus answered. */
  private async readProbes(
    which: 'before' | 'during' | 'after',
  ): Promise<{ allOk: boolean; reachable: boolean; failing: string[] }> {
    const target = this.rec.targets[0] as string;
    const specs = this.scenario.hypothesis.filter((h) => which !== 'during' || h.during);
    const readings = await Promise.all(
      specs.map((s) => readProbe(this.p.metrics, this.p.inventory, s, target)),
    );
    const t = this.now();
    let reachable = true;
    const failing: string[] = [];
    for (const r of readings) {
      const v = this.probeView(r.name);
      v.last = r.value;
      v.ok = r.ok;
      v.samples.push({ t, v: r.value });
      if (v.samples.length > MAX_SAMPLES) v.samples.splice(0, v.samples.length - MAX_SAMPLES);
      if (r.error) reachable = false;
      if (!r.ok) failing.push(`${r.name}=${r.value ?? (r.error ? 'unreachable' : 'no data')}`);
    }
    return { allOk: failing.length === 0, reachable, failing };
  }

  // ---- the run ------------------------------------------------------------------------------

  private async run(): Promise<void> {
    this.event('start', `started on ${this.rec.targets.join(', ')}`);
    let failure: unknown;
    try {
      await this.steadyBefore();
      await this.inject();
      await this.observe();
    } catch (err) {
      failure = err;
    }
    if (failure instanceof DrillAbort) {
      this.rec.abort = { reason: failure.reason, detail: failure.message, at: this.iso() };
      this.step(this.rec.phase, 'abort', 'failed', `${failure.reason}: ${failure.message}`);
    } else if (failure) {
      this.rec.error = (failure as Error).message;
      this.step(this.rec.phase, 'error', 'failed', (failure as Error).message);
      this.log(`error: ${(failure as Error).stack ?? String(failure)}`);
    }
    // Rollback always runs, also when nothing was injected (then it has nothing to undo).
    await this.rollback();
    if (
      this.rec.rollbackDone &&
      this.rec.actions.length &&
      this.abortInfo?.reason !== 'controller-stopping'
    )
      await this.steadyAfter();
    await this.finish();
  }

  private async steadyBefore(): Promise<void> {
    this.phase('steady-state-before');
    const s = this.step('steady-state-before', 'probes', 'running', 'reading every probe');
    // A probe may be briefly off on a busy cluster: three readings one interval apart.
    let last = { allOk: false, reachable: true, failing: [] as string[] };
    for (let i = 0; i < 3; i++) {
      if (this.abortInfo) throw this.abortInfo;
      last = await this.readProbes('before');
      if (last.allOk) break;
      if (i < 2) await this.sleep(this.scenario.intervalMs);
    }
    for (const v of this.rec.probes) v.before = v.ok;
    if (!last.allOk) {
      this.end(s, 'failed', `steady state not met: ${last.failing.join(', ')}`);
      if (!last.reachable)
        throw new DrillAbort(
          'prometheus-unreachable',
          'Prometheus did not answer the steady-state probes',
        );
      throw new DrillAbort(
        'steady-state-before',
        `steady state not met before the fault: ${last.failing.join(', ')}`,
      );
    }
    this.end(s, 'ok', this.rec.probes.map((p) => `${p.name}=${p.last ?? 'no data'}`).join(', '));
    try {
      this.rec.budgetBefore = await scalar(this.p.metrics, this.scenario.preflight.budgetQuery);
    } catch {
      this.rec.budgetBefore = null;
    }
    this.clientCounters.start = this.now();
  }

  private readonly clientCounters: { start?: number } = {};

  private async inject(): Promise<void> {
    if (this.abortInfo) throw this.abortInfo;
    this.phase('inject');
    const inv = this.p.inventory;
    const worstCase = this.scenario.maxDurationMs + this.scenario.recoveryWithinMs;
    for (const exp of this.rec.alerts) {
      if (!exp.silenced) continue;
      const s = this.step(
        'inject',
        `silence ${exp.alertname}`,
        'running',
        JSON.stringify(exp.labels),
      );
      if (!this.p.silences) {
        this.end(s, 'skipped', 'no Alertmanager configured');
        continue;
      }
      const id = await this.p.silences.create({
        matchers: [
          { name: 'alertname', value: exp.alertname, isRegex: false, isEqual: true },
          ...Object.entries(exp.labels).map(([name, value]) => ({
            name,
            value,
            isRegex: false,
            isEqual: true,
          })),
        ],
        startsAt: this.iso(),
        endsAt: this.iso(this.now() + worstCase + SILENCE_SAFETY_MS),
        createdBy: 'okome-controller',
        comment: `okome drill ${this.rec.id} (${this.rec.scenario}) expects this alert; silenced for the drill`,
      });
      this.rec.silences.push(id);
      this.end(s, 'ok', `silence ${id}`);
    }
    for (const c of concreteActions(inv, this.scenario, this.rec.targets)) {
      this.checkAbort();
      const action: DrillAction = { ...c, id: randomUUID(), state: 'intent' };
      if (c.kind === 'routing')
        action.before = targetRoutingState(this.p.routing, c.pool as string, c.node);
      if (c.kind === 'simulator') action.params = { ...(c.params ?? {}), [DRILL_TAG]: this.rec.id };
      // Write-ahead: the intent is durable before the fault exists.
      this.rec.actions.push(action);
      this.save();
      crashPoint('drill-after-intent');
      const s = this.step('inject', action.description, 'running', '');
      try {
        await this.apply(action, worstCase + FAULT_SAFETY_MS);
        action.state = 'applied';
        this.end(
          s,
          'ok',
          action.faultIds?.length ? `fault ${action.faultIds.join(', ')}` : 'applied',
        );
      } catch (err) {
        action.state = 'failed';
        action.error = (err as Error).message;
        this.end(s, 'failed', (err as Error).message);
        throw err;
      }
      crashPoint('drill-after-inject');
    }
    this.event('fault', `fault injected on ${this.rec.targets.join(', ')}`);
  }

  private async apply(a: DrillAction, faultMs: number): Promise<void> {
    if (a.kind === 'simulator') {
      if (!this.p.faults) throw new Error('no simulator fault API configured');
      const f = await this.p.faults.inject({
        node: a.node,
        kind: a.fault as string,
        params: a.params ?? {},
        durationMs: faultMs,
      });
      a.faultIds = [...(a.faultIds ?? []), f.id];
      return;
    }
    if (a.kind === 'routing') {
      const out = await this.p.routing.set(
        a.pool as string,
        a.node,
        a.to as BackendState,
        `drill ${this.rec.id} (${this.rec.scenario})`,
        `drill:${this.rec.id}`,
      );
      if (out.result !== 'applied' && out.result !== 'noop' && out.result !== 'dry-run')
        throw new Error(`routing ${a.pool}/${a.node} → ${a.to} ${out.result}: ${out.reason}`);
      return;
    }
    if (!this.p.inventory.drills.allowRealFaults)
      throw new Error('exec faults need drills.allowRealFaults: true in the inventory');
    if (!this.p.exec) throw new Error('no exec runner');
    await this.p.exec.run(a.run as string, {
      OKOME_DRILL: this.rec.id,
      OKOME_NODE: a.node,
      OKOME_PHASE: 'inject',
    });
  }

  private async observe(): Promise<void> {
    this.phase('observe');
    const faultAt = Date.parse(this.rec.events.fault as string);
    const s = this.step('observe', 'observe', 'running', 'probes, alerts and routing');
    const outside = new Map<string, number>();
    let unreachableSince: number | undefined;
    let burnSince: number | undefined;
    let settledAt: number | undefined;
    for (;;) {
      this.checkAbort();
      const now = this.now();
      const r = await this.readProbes('during');
      for (const spec of this.scenario.hypothesis.filter((h) => h.during)) {
        const v = this.probeView(spec.name);
        if (v.ok || !r.reachable) {
          outside.delete(spec.name);
          continue;
        }
        const since = outside.get(spec.name) ?? now;
        outside.set(spec.name, since);
        v.during = false;
        if (now - since > spec.graceMs)
          throw new DrillAbort(
            'probe-out-of-tolerance',
            `${spec.name}=${v.last ?? 'no data'} outside [${spec.min ?? '-∞'}, ${spec.max ?? '+∞'}] for more than ${spec.graceMs / 1000}s`,
          );
      }
      if (!r.reachable) {
        unreachableSince ??= now;
        if (now - unreachableSince > this.scenario.abort.prometheusUnreachableMs)
          throw new DrillAbort(
            'prometheus-unreachable',
            `no answer from Prometheus for ${Math.round((now - unreachableSince) / 1000)}s`,
          );
      } else unreachableSince = undefined;
      const bb = this.scenario.abort.budgetBurn;
      if (bb && r.reachable) {
        const burn = await scalar(this.p.metrics, bb.query).catch(() => null);
        if (burn !== null && burn > bb.max) {
          burnSince ??= now;
          if (now - burnSince > bb.forMs)
            throw new DrillAbort(
              'budget-burn',
              `error budget burn ${burn.toFixed(1)}× above ${bb.max}× for more than ${bb.forMs / 1000}s`,
            );
        } else burnSince = undefined;
      }
      await this.checkAlerts(faultAt);
      this.checkRouting(faultAt);
      this.save();
      // Optional alerts are recorded when they fire, but never waited for.
      const alertsDone = this.scenario.expect.alerts.every(
        (e, i) => !e.required || this.rec.alerts[i]?.firedAt || now - faultAt > e.withinMs,
      );
      const routingDone = this.scenario.expect.routing.every(
        (e, i) => this.rec.routing[i]?.changedAt || now - faultAt > e.withinMs,
      );
      if (alertsDone && routingDone) {
        settledAt ??= now;
        if (now - settledAt >= this.scenario.holdMs) break;
      }
      await this.sleep(this.scenario.intervalMs);
    }
    for (const v of this.rec.probes)
      if (v.during === null && this.scenario.hypothesis.find((h) => h.name === v.name)?.during)
        v.during = true;
    this.end(
      s,
      'ok',
      `alerts fired: ${
        this.rec.alerts
          .filter((a) => a.firedAt)
          .map((a) => a.alertname)
          .join(', ') || 'none'
      }; routing changed: ${
        this.rec.routing
          .filter((r) => r.changedAt)
          .map((r) => `${r.pool}/${r.backend}`)
          .join(', ') || 'none'
      }`,
    );
  }

  private async checkAlerts(faultAt: number): Promise<void> {
    if (!this.p.alerts) return;
    for (const exp of this.rec.alerts) {
      if (exp.firedAt) continue;
      try {
        const firing = await this.p.alerts.firing(exp.alertname, exp.labels);
        if (firing.length) {
          const started = Math.max(
            ...firing.map((f) => Date.parse(f.startsAt)).filter(Number.isFinite),
          );
          // Alertmanager's startsAt is Prometheus' evaluation time; never earlier than the fault.
          exp.firedAt = this.iso(
            Number.isFinite(started) ? Math.max(started, faultAt) : this.now(),
          );
          this.step('observe', `alert ${exp.alertname} fired`, 'ok', JSON.stringify(exp.labels));
          if (exp.required) this.event('detect', `${exp.alertname} firing`);
        }
      } catch (err) {
        this.log(`alert check ${exp.alertname}: ${(err as Error).message}`);
      }
    }
  }

  private checkRouting(faultAt: number): void {
    const snap = this.p.routing.snapshot();
    for (const exp of this.rec.routing) {
      const st = snap[exp.pool]?.[exp.backend] ?? 'enabled';
      exp.observed = st;
      if (!exp.changedAt && exp.states.includes(st)) {
        exp.changedAt = this.iso(Math.max(this.now(), faultAt));
        this.step(
          'observe',
          `routing ${exp.pool}/${exp.backend} → ${st}`,
          'ok',
          'traffic moved off the target',
        );
        this.event('reroute', `${exp.pool}/${exp.backend} → ${st}`);
      }
    }
  }

  /** Undoes every action not yet undone, newest first; retried until done or the deadline. */
  async rollback(): Promise<void> {
    this.phase('rollback');
    const pending = () => this.rec.actions.filter((a) => a.state !== 'rolled-back');
    if (pending().length || this.rec.silences.length) this.event('rollback', 'rolling back');
    const deadline = this.now() + Math.max(30_000, this.scenario.recoveryWithinMs);
    const s = this.step(
      'rollback',
      'rollback',
      'running',
      `${pending().length} action(s), ${this.rec.silences.length} silence(s)`,
    );
    const errors: string[] = [];
    for (;;) {
      errors.length = 0;
      for (const a of [...pending()].reverse()) {
        try {
          const note = await this.undo(a);
          a.state = 'rolled-back';
          this.save();
          this.step('rollback', `undo: ${a.description}`, 'ok', note);
        } catch (err) {
          errors.push(`${a.description}: ${(err as Error).message}`);
        }
      }
      if (!errors.length || this.now() > deadline) break;
      await this.sleep(Math.min(1000, this.scenario.intervalMs), false);
    }
    for (const id of [...this.rec.silences]) {
      try {
        await this.p.silences?.expire(id);
        this.rec.silences = this.rec.silences.filter((x) => x !== id);
        this.save();
      } catch (err) {
        errors.push(`silence ${id}: ${(err as Error).message}`);
      }
    }
    this.rec.rollbackDone = errors.length === 0;
    this.end(
      s,
      errors.length ? 'failed' : 'ok',
      errors.length ? `incomplete: ${errors.join('; ')}` : 'every action undone, silences expired',
    );
    if (errors.length && !this.rec.error)
      this.rec.error = `rollback incomplete: ${errors.join('; ')}`;
    this.save();
  }

  private async undo(a: DrillAction): Promise<string> {
    if (a.kind === 'simulator') {
      if (!this.p.faults) throw new Error('no simulator fault API configured');
      // By tag, not only by the ids journaled: a crash between POST and the journal write left
      // the id unrecorded, and the tag still finds the fault.
      const mine = (await this.p.faults.list()).filter(
        (f) => f.params?.[DRILL_TAG] === this.rec.id && f.node === a.node && f.kind === a.fault,
      );
      for (const f of mine) await this.p.faults.remove(f.id);
      return mine.length
        ? `removed fault ${mine.map((f) => f.id).join(', ')}`
        : 'no fault left (expired or never made)';
    }
    if (a.kind === 'routing') {
      const cur = targetRoutingState(this.p.routing, a.pool as string, a.node);
      if (cur !== a.to) return `${a.pool}/${a.node} is ${cur}, not ${a.to}: left as it is`;
      const out = await this.p.routing.set(
        a.pool as string,
        a.node,
        a.before ?? 'enabled',
        `drill ${this.rec.id} rollback`,
        `drill:${this.rec.id}`,
      );
      if (out.result !== 'applied' && out.result !== 'noop' && out.result !== 'dry-run')
        throw new Error(`${out.result}: ${out.reason}`);
      return `${a.pool}/${a.node} → ${a.before ?? 'enabled'}`;
    }
    if (a.state === 'intent' && !this.p.inventory.drills.allowRealFaults) return 'never ran';
    if (!this.p.exec) throw new Error('no exec runner');
    await this.p.exec.run(a.undo as string, {
      OKOME_DRILL: this.rec.id,
      OKOME_NODE: a.node,
      OKOME_PHASE: 'rollback',
    });
    return 'undo hook ran';
  }

  private routingRestored(): string[] {
    const now = this.p.routing.snapshot();
    const diffs: string[] = [];
    const pools = new Set([...Object.keys(now), ...Object.keys(this.rec.routingBefore)]);
    for (const pool of pools) {
      const a = this.rec.routingBefore[pool] ?? {};
      const b = now[pool] ?? {};
      for (const node of new Set([...Object.keys(a), ...Object.keys(b)]))
        if ((a[node] ?? 'enabled') !== (b[node] ?? 'enabled'))
          diffs.push(`${pool}/${node} is ${b[node] ?? 'enabled'}, was ${a[node] ?? 'enabled'}`);
    }
    return diffs;
  }

  private async steadyAfter(): Promise<void> {
    this.phase('steady-state-after');
    const start = this.now();
    const s = this.step(
      'steady-state-after',
      'recovery',
      'running',
      'waiting for probes and routing to be as before',
    );
    let last = { failing: [] as string[] };
    let diffs: string[] = [];
    for (;;) {
      const r = await this.readProbes('after');
      diffs = this.routingRestored();
      last = r;
      if (r.allOk && !diffs.length) break;
      if (this.now() - start > this.scenario.recoveryWithinMs) break;
      await this.sleep(this.scenario.intervalMs, false);
    }
    for (const v of this.rec.probes) v.after = v.ok;
    if (!last.failing.length && !diffs.length) {
      this.event('recovered', 'steady state is back');
      this.end(s, 'ok', 'steady state and routing as before');
    } else
      this.end(
        s,
        'failed',
        `not recovered within ${this.scenario.recoveryWithinMs / 1000}s: ${[...last.failing, ...diffs].join(', ')}`,
      );
  }

  private async finish(): Promise<void> {
    this.phase('report');
    this.rec.endedAt = this.iso();
    this.rec.report = buildReport(this.rec, this.scenario);
    await this.measure();
    this.rec.status = this.rec.report.status;
    this.event('end', `${this.rec.status}: ${this.rec.report.summary}`);
    this.phase('done');
  }

  /** Client errors and budget spent, read once at the end (Prometheus counters over the drill). */
  private async measure(): Promise<void> {
    const start = this.clientCounters.start;
    if (start === undefined || !this.rec.report) return;
    const secs = Math.max(1, Math.ceil((this.now() - start) / 1000));
    const inc = (sel: string) =>
      scalar(this.p.metrics, `sum(increase(${sel}[${secs}s]))`).catch(() => null);
    const [failed, requests] = await Promise.all([
      inc(this.scenario.clientErrors.failures),
      inc(this.scenario.clientErrors.requests),
    ]);
    const after = await scalar(this.p.metrics, this.scenario.preflight.budgetQuery).catch(
      () => null,
    );
    // Requests recorded but no failure series yet: no request failed.
    const failures = failed ?? (requests !== null ? 0 : null);
    this.rec.report.clientErrors = {
      failed: failures === null ? null : Math.round(failures),
      requests: requests === null ? null : Math.round(requests),
      ratio: failures !== null && requests ? failures / requests : null,
    };
    this.rec.report.budgetSpent =
      this.rec.budgetBefore !== null && after !== null
        ? Math.max(0, this.rec.budgetBefore - after)
        : null;
    this.save();
  }
}

/** Crash points for the drill crash tests (same env var as the controller's fault points). */
export function crashPoint(point: 'drill-after-intent' | 'drill-after-inject'): void {
  if (process.env.OKOME_CONTROLLER_FAULT === point) process.kill(process.pid, 'SIGKILL');
}
