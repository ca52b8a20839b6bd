// What the drill engine needs from the outside world, as small interfaces. The controller wires
// the real ones (adapters.ts: Prometheus, Alertmanager, simulator, the routing Engine, exec,
// Grafana); unit tests pass fakes behind the same interfaces.
import type { BackendState } from '@okome/provisioning';
import type { Outcome } from '../engine';
import type { SilenceRequest } from '../alertmanager';

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** PromQL instant queries; throws when Prometheus cannot be reached or refuses the query. */
export interface MetricsPort {
  query(promql: string): Promise<PromSample[]>;
}

export interface FiringAlert {
  labels: Record<string, string>;
  /** ISO time the alert started (Alertmanager's startsAt). */
  startsAt: string;
}

/** Alerts as Alertmanager sees them (active, silenced or inhibited). */
export interface AlertsPort {
  firing(alertname: string, labels: Record<string, string>): Promise<FiringAlert[]>;
  /** Firing alerts with severity="page" (for the preflight). */
  pages(): Promise<FiringAlert[]>;
}

export interface SilencesPort {
  create(req: SilenceRequest): Promise<string>;
  expire(id: string): Promise<void>;
}

export interface SimulatorFault {
  id: string;
  node: string;
  kind: string;
  params: Record<string, unknown>;
}

/** The simulator's fault API. Faults carry the drill id in params so a restart finds them. */
export interface FaultsPort {
  readonly url: string;
  inject(req: {
    node: string;
    kind: string;
    params: Record<string, unknown>;
    durationMs: number;
  }): Promise<SimulatorFault>;
  list(): Promise<SimulatorFault[]>;
  /** Removes one fault; a fault already gone is not an error. */
  remove(id: string): Promise<void>;
}

export interface RoutingPort {
  /** pool → backend → state, only backends that are not enabled. */
  snapshot(): Record<string, Record<string, BackendState>>;
  set(
    pool: string,
    backend: string,
    to: BackendState,
    reason: string,
    actor: string,
  ): Promise<Outcome>;
  killSwitch(): boolean;
}

export interface ExecPort {
  run(command: string, env: Record<string, string>): Promise<void>;
}

export interface AnnotationsPort {
  annotate(a: { time: number; text: string; tags: string[] }): Promise<void>;
}
