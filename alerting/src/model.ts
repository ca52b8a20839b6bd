// The one SLO model every spec format maps onto and every rule builder reads.
import type { Severity } from './conventions';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}
/** A plain vector selector: metric name plus label matchers. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export type ThresholdOp = 'gte' | 'gt' | 'lte' | 'lt';

export type Sli =
  /** Counters: error ratio = bad/total, or (total − good)/total. */
  | { kind: 'events'; bad?: Selector; good?: Selector; total: Selector }
  /** Classic histogram (base name, without _bucket): good = bucket at `le` threshold. */
  | { kind: 'latency'; histogram: Selector; thresholdSeconds: number }
  /** Time slices: a slice is good when the worst series of `query` meets `op value`. */
  | {
      kind: 'threshold';
      query: string;
      op: ThresholdOp;
      value: number;
      /**
       * The counters `query` is computed from, when it is not a plain selector (set by derived
       * SLOs such as a hop's added latency): SLOMetricAbsent watches these, so an idle window
       * (the query has no sample) is not "metric absent", and the promtool tests feed them.
       */
      inputs?: ThresholdInput[];
    };

/** A counter feeding a threshold query: its increase per minute in a good and a bad slice. */
export interface ThresholdInput {
  selector: Selector;
  goodPerMinute: number;
  badPerMinute: number;
}

export interface AlertingOptions {
  /** Extra labels on the page-severity and ticket-severity alerts. */
  pageLabels: Record<string, string>;
  ticketLabels: Record<string, string>;
  /** Emit SLOMetricAbsent. */
  missingData: boolean;
  /** Events the long window must hold before a burn alert may fire; undefined = derived. */
  minEvents?: number;
}

export interface Slo {
  name: string;
  cluster: string;
  service: string;
  hop?: string;
  description?: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  /** Prometheus duration, e.g. 28d. */
  period: string;
  sli: Sli;
  labels: Record<string, string>;
  runbookUrl: string;
  alerting: AlertingOptions;
}

/** A spec file after parsing: one cluster's SLOs. */
export interface SloSet {
  cluster: string;
  slos: Slo[];
  /** Where it came from, for messages. */
  file: string;
}

export function errorBudget(slo: Pick<Slo, 'objective'>): number {
  return Math.round((1 - slo.objective / 100) * 1e9) / 1e9;
}

export type { Severity };
