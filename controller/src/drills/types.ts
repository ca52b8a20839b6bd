// The drill API's data shapes: scenarios as loaded, drills as journaled and served. These types
// are the contract of GET|POST /api/v1/drills for the Grafana plugin (exported from the package).
import type { BackendState } from '@okome/provisioning';

// ---- scenarios ----------------------------------------------------------------------------------

export interface ProbeSpec {
  name: string;
  /** PromQL; `{{target}}`, `{{address}}` and `{{cluster}}` are filled in per drill. */
  query: string;
  /** Tolerance: the value must be ≥ min and ≤ max (either may be absent). */
  min?: number;
  max?: number;
  /** Checked before the fault and after the rollback (always), and while the fault is in. */
  during: boolean;
  /** While the fault is in: how long the probe may stay outside its tolerance before the drill aborts. */
  graceMs: number;
  /** What an empty answer means: pass (e.g. no failures recorded) or fail. */
  noData: 'pass' | 'fail';
}

export type MethodStep =
  | {
      kind: 'simulator';
      /** Simulator fault kind: down | slow | latency | gpu-oom | gpu-xid | redis-down | partition. */
      fault: string;
      params: Record<string, unknown>;
      /** What to do instead on a real cluster; the safe default drains the target in its pools. */
      real?: RoutingStep | ExecStep;
    }
  | RoutingStep
  | ExecStep;

export interface RoutingStep {
  kind: 'routing';
  /** Pool name; absent = every pool the target backs. */
  pool?: string;
  state: Exclude<BackendState, 'enabled'>;
}

export interface ExecStep {
  kind: 'exec';
  run: string;
  undo: string;
}

export interface ExpectedAlert {
  alertname: string;
  labels: Record<string, string>;
  /** A required alert that does not fire within this time fails the drill (alerting is broken). */
  withinMs: number;
  required: boolean;
  /**
   * Silence it for the drill. Routing alerts (okome_action) must stay audible: the controller
   * reroutes on their webhook, so scenarios set `silence: false` for them.
   */
  silence: boolean;
}

export interface ExpectedRouting {
  pool: string;
  backend: string;
  states: Exclude<BackendState, 'enabled'>[];
  withinMs: number;
}

export interface Scenario {
  name: string;
  title: string;
  description: string;
  /** File the scenario was loaded from (for messages). */
  file: string;
  targets: { roles: string[]; nodes: string[]; count: number };
  maxDurationMs: number;
  intervalMs: number;
  preflight: {
    /** Minimum remaining error budget (0–1) of the period; no data counts as unknown, not a refusal. */
    budgetFloor: number;
    budgetQuery: string;
    noFiringPage: boolean;
    /** Refuse when a pool the target backs would be left below its minHealthy. */
    minHealthy: boolean;
  };
  hypothesis: ProbeSpec[];
  method: MethodStep[];
  expect: { alerts: ExpectedAlert[]; routing: ExpectedRouting[] };
  /** After the expectations are met (or timed out), keep the fault in this long. */
  holdMs: number;
  abort: {
    budgetBurn?: { query: string; max: number; forMs: number };
    prometheusUnreachableMs: number;
  };
  /** Rollback → steady state must be back within this. */
  recoveryWithinMs: number;
  /** Client errors during the drill: counter selectors; sum(increase(…)) over the drill is taken. */
  clientErrors: { failures: string; requests: string };
}

// ---- drills -------------------------------------------------------------------------------------

export const DRILL_PHASES = [
  'preflight',
  'steady-state-before',
  'inject',
  'observe',
  'rollback',
  'steady-state-after',
  'report',
  'done',
] as const;
export type DrillPhase = (typeof DRILL_PHASES)[number];

export type DrillStatus = 'running' | 'passed' | 'failed' | 'aborted' | 'error';

export const ABORT_REASONS = [
  'probe-out-of-tolerance',
  'budget-burn',
  'max-duration',
  'operator',
  'kill-switch',
  'prometheus-unreachable',
  'steady-state-before',
  'controller-stopping',
  'controller-restart',
] as const;
export type AbortReason = (typeof ABORT_REASONS)[number];

export interface DrillStep {
  phase: DrillPhase;
  name: string;
  /** ISO times. */
  startedAt: string;
  endedAt?: string;
  result: 'ok' | 'failed' | 'skipped' | 'info' | 'running';
  detail: string;
}

/** One fault or routing change the drill made, journaled before it is made (write-ahead). */
export interface DrillAction {
  id: string;
  kind: 'simulator' | 'routing' | 'exec';
  node: string;
  /** What was (or is being) done, in words. */
  description: string;
  state: 'intent' | 'applied' | 'rolled-back' | 'failed';
  /** simulator: fault kind and params; routing: pool/state and the state before; exec: commands. */
  fault?: string;
  params?: Record<string, unknown>;
  pool?: string;
  to?: BackendState;
  before?: BackendState;
  run?: string;
  undo?: string;
  faultIds?: string[];
  error?: string;
}

export interface ProbeSample {
  /** Epoch ms. */
  t: number;
  /** null: no data or Prometheus unreachable. */
  v: number | null;
}

export interface ProbeView {
  name: string;
  query: string;
  min?: number;
  max?: number;
  last: number | null;
  ok: boolean;
  /** Last ≤ 300 samples, for sparklines. */
  samples: ProbeSample[];
  /** Per phase: did the probe hold (null = not checked in that phase). */
  before: boolean | null;
  during: boolean | null;
  after: boolean | null;
}

export interface AlertExpectationView {
  alertname: string;
  labels: Record<string, string>;
  required: boolean;
  silenced: boolean;
  firedAt: string | null;
}

export interface RoutingExpectationView {
  pool: string;
  backend: string;
  states: string[];
  changedAt: string | null;
  observed: BackendState | null;
}

export interface DrillEvents {
  start?: string;
  fault?: string;
  detect?: string;
  reroute?: string;
  rollback?: string;
  recovered?: string;
  end?: string;
}

export interface HypothesisResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface DrillReport {
  status: Exclude<DrillStatus, 'running'>;
  /** Seconds; null when the event did not happen. */
  timeToDetectSeconds: number | null;
  timeToRerouteSeconds: number | null;
  timeToRecoverSeconds: number | null;
  durationSeconds: number;
  clientErrors: { failed: number | null; requests: number | null; ratio: number | null };
  /** Fraction (0–1) of the period's error budget spent during the drill; null without data. */
  budgetSpent: number | null;
  hypotheses: HypothesisResult[];
  summary: string;
}

export interface DrillRecord {
  version: 1;
  id: string;
  scenario: string;
  title: string;
  cluster: string;
  targets: string[];
  actor: string;
  status: DrillStatus;
  phase: DrillPhase;
  createdAt: string;
  endedAt?: string;
  abort?: { reason: AbortReason; detail: string; at: string };
  error?: string;
  steps: DrillStep[];
  actions: DrillAction[];
  silences: string[];
  probes: ProbeView[];
  alerts: AlertExpectationView[];
  routing: RoutingExpectationView[];
  events: DrillEvents;
  /** Routing at the start, restored and checked at the end. */
  routingBefore: Record<string, Record<string, BackendState>>;
  budgetBefore: number | null;
  rollbackDone: boolean;
  /** Set when a restart found this drill unfinished and rolled it back. */
  replayed?: boolean;
  report?: DrillReport;
}

// ---- API ----------------------------------------------------------------------------------------

export interface StartDrillRequest {
  scenario: string;
  targets?: string[];
  dryRun?: boolean;
  user?: string;
}

export interface PreflightCheck {
  name:
    | 'scenario-allowed'
    | 'no-other-drill'
    | 'kill-switch'
    | 'budget-floor'
    | 'no-firing-page'
    | 'min-healthy'
    | 'real-faults';
  ok: boolean;
  detail: string;
}

export interface Preflight {
  ok: boolean;
  checks: PreflightCheck[];
  budgetRemaining: number | null;
}

export interface PlannedStep {
  phase: DrillPhase;
  /** Node the step acts on, when it acts on one. */
  node?: string;
  action: string;
  /** e.g. "POST http://127.0.0.1:9800/faults {node:CORE, kind:down}". */
  detail: string;
}

export interface DryRunResponse {
  dryRun: true;
  scenario: string;
  targets: string[];
  simulated: boolean;
  preflight: Preflight;
  plan: PlannedStep[];
  expectedAlerts: AlertExpectationView[];
  expectedRouting: RoutingExpectationView[];
}

export interface ScenarioView {
  name: string;
  title: string;
  description: string;
  /** Allowed by the inventory's drills.allowed. */
  allowed: boolean;
  /** Nodes the target selector matches (the first `count` are the default targets). */
  candidates: string[];
  count: number;
  maxDurationSeconds: number;
  expectedAlerts: string[];
  lastResult: { id: string; status: DrillStatus; endedAt: string | null } | null;
  /** 0–100 over the recent runs, null before the first run that counts. */
  score: number | null;
  history: { id: string; status: DrillStatus; endedAt: string | null; points: number | null }[];
}

export interface DrillSummary {
  id: string;
  scenario: string;
  targets: string[];
  status: DrillStatus;
  phase: DrillPhase;
  createdAt: string;
  endedAt: string | null;
  abortReason: AbortReason | null;
  timeToDetectSeconds: number | null;
  timeToRerouteSeconds: number | null;
  timeToRecoverSeconds: number | null;
}

export interface DrillListResponse {
  active: string | null;
  scenarios: ScenarioView[];
  drills: DrillSummary[];
}
