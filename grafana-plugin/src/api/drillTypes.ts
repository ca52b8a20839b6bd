// What the plugin reads from okome-controller's drill API (controller/README.md, "Drill API").
// Only the fields the page shows; the controller may send more.

export type DrillStatus = 'running' | 'passed' | 'failed' | 'aborted' | 'error';

export interface ScenarioView {
  name: string;
  title: string;
  description: string;
  allowed: boolean;
  candidates: string[];
  count: number;
  maxDurationSeconds: number;
  expectedAlerts: Array<string | { alertname: string }>;
  lastResult: { id: string; status: DrillStatus; endedAt?: string } | null;
  score: number | null;
}

export interface DrillSummary {
  id: string;
  scenario: string;
  title?: string;
  targets?: string[];
  status: DrillStatus;
  phase?: string;
  createdAt?: string;
  endedAt?: string | null;
  abortReason?: string | null;
  timeToDetectSeconds?: number | null;
  timeToRerouteSeconds?: number | null;
  timeToRecoverSeconds?: number | null;
}

export interface DrillListResponse {
  active: string | null;
  scenarios: ScenarioView[];
  drills: DrillSummary[];
}

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface DryRunResponse {
  dryRun: true;
  scenario: string;
  targets: string[];
  simulated: boolean;
  preflight: { ok: boolean; checks: PreflightCheck[]; budgetRemaining?: number | null };
  plan: Array<{ phase: string; node?: string; action: string; detail?: string }>;
  expectedAlerts: Array<{ alertname: string; labels?: Record<string, string> } | string>;
  expectedRouting: Array<{ pool: string; backend: string; states?: string[] } | string>;
}

export interface DrillStep {
  phase: string;
  name: string;
  startedAt: string;
  endedAt?: string;
  result: 'ok' | 'failed' | 'skipped' | 'info' | 'running';
  detail?: string;
}

export interface DrillProbe {
  name: string;
  query?: string;
  min?: number;
  max?: number;
  last?: number | null;
  ok?: boolean | null;
  samples?: Array<{ t: string | number; v: number }>;
}

export interface DrillHypothesis {
  name: string;
  passed: boolean;
  detail?: string;
}

export interface DrillReport {
  status: DrillStatus;
  timeToDetectSeconds?: number | null;
  timeToRerouteSeconds?: number | null;
  timeToRecoverSeconds?: number | null;
  durationSeconds?: number | null;
  clientErrors?: { failed?: number | null; requests?: number | null; ratio?: number | null };
  budgetSpent?: number | null;
  hypotheses: DrillHypothesis[];
  summary?: string;
}

/** One fault or routing change the drill made (journaled before it is made). */
export interface DrillAction {
  id: string;
  kind: 'simulator' | 'routing' | 'exec';
  node: string;
  description: string;
  state: 'intent' | 'applied' | 'rolled-back' | 'failed';
  /** simulator fault kind (down, partition, gpu-oom, …) */
  fault?: string;
  /** routing: the state the backend was set to */
  to?: string;
}

/** When each milestone of the drill happened (ISO); absent until it happens. */
export interface DrillEvents {
  start?: string;
  fault?: string;
  detect?: string;
  reroute?: string;
  rollback?: string;
  recovered?: string;
  end?: string;
}

export interface DrillRecord extends DrillSummary {
  targets: string[];
  actor?: string;
  actions?: DrillAction[];
  events?: DrillEvents;
  abort?: { reason: string; detail?: string };
  steps: DrillStep[];
  probes: DrillProbe[];
  rollbackDone?: boolean;
  error?: string;
  report?: DrillReport;
}

export interface StartedDrill {
  id: string;
  status: 'running';
  drill: DrillRecord;
}
