import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSpecProblem } from '../../problems';
import { parseOwnSpec } from '../own';
import { importOpenSlo } from './openslo';
import { importSloth } from './sloth';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

describe('Sloth import', () => {
  it('maps the shipped example, events and the count − bucket latency idiom', () => {
    const res = importSloth(
      readFileSync(join(EXAMPLES, 'sloth-gateway.yaml'), 'utf8'),
      'sloth-gateway.yaml',
    );
    expect(res.problems).toEqual([]);
    const { set, problems } = parseOwnSpec(res.yaml!, 'imported.yaml');
    expect(problems).toEqual([]);
    expect(set?.cluster).toBe('okome');
    expect(set?.slos.map((s) => [s.name, s.period, s.sli.kind])).toEqual([
      ['requests-availability', '30d', 'events'],
      ['requests-first-token', '30d', 'latency'],
    ]);
    expect(set?.slos[0]?.alerting.pageLabels).toEqual({
      category: 'availability',
      routing_key: 'okome-sre',
    });
    expect(set?.slos[1]?.sli).toMatchObject({ kind: 'latency', thresholdSeconds: 0.5 });
    expect(res.notes).toContain(
      'slos[0]: alert name "GatewayHighErrorRate" becomes ErrorBudgetBurn/SLOMetricAbsent',
    );
  });

  it('says what it cannot express, and where', () => {
    const res = importSloth(
      `version: prometheus/v1
service: svc
slos:
  - name: raw
    objective: 99
    sli:
      raw:
        error_ratio_query: x / y
  - name: odd
    objective: 99
    sli:
      events:
        error_query: sum(rate(a[{{.window}}])) * 2
        total_query: sum(rate(b[{{.window}}]))
`,
      'sloth.yaml',
    );
    expect(res.yaml).toBeUndefined();
    expect(res.problems.map(formatSpecProblem)).toEqual([
      'sloth.yaml:8 slos[0].sli.raw: cannot express: raw error-ratio queries (okome-slo needs counters to build ratios of sums)',
      'sloth.yaml:13 slos[1].sli.events.error_query: cannot express: expected sum(rate(<selector>[{{.window}}])) or sum(rate(h_count[…])) - sum(rate(h_bucket{le="…"}[…]))',
    ]);
  });
});

describe('OpenSLO import', () => {
  it('maps ratioMetric by reference and thresholdMetric inline', () => {
    const res = importOpenSlo(
      readFileSync(join(EXAMPLES, 'openslo-engine.yaml'), 'utf8'),
      'openslo-engine.yaml',
    );
    expect(res.problems).toEqual([]);
    const { set, problems } = parseOwnSpec(res.yaml!, 'imported.yaml');
    expect(problems).toEqual([]);
    expect(set?.cluster).toBe('kage-bunshin');
    expect(set?.slos.map((s) => s.sli)).toEqual([
      {
        kind: 'events',
        bad: {
          metric: 'llm_request_failures_total',
          matchers: [{ name: 'hop', op: '=', value: 'engine' }],
        },
        good: undefined,
        total: {
          metric: 'llm_requests_total',
          matchers: [{ name: 'hop', op: '=', value: 'engine' }],
        },
      },
      {
        kind: 'threshold',
        query: 'okome:ollama_tokens_per_second:rate5m{cluster="kage-bunshin"}',
        op: 'gte',
        value: 2,
      },
    ]);
    expect(set?.slos[0]?.objective).toBe(99);
  });

  it('refuses calendar windows, several objectives and non-Prometheus sources by name', () => {
    const res = importOpenSlo(
      `apiVersion: openslo/v1
kind: SLO
metadata: {name: cal}
spec:
  service: s
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar: {startTime: "2024-01-01 00:00:00", timeZone: UTC}
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: i}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Datadog, spec: {query: "x"}}}
        total: {metricSource: {type: Prometheus, spec: {query: "y_total"}}}
  objectives:
    - target: 0.99
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: two}
spec:
  service: s
  indicatorRef: missing
  objectives: [{target: 0.9}, {target: 0.99}]
`,
      'openslo.yaml',
    );
    expect(res.problems.map(formatSpecProblem)).toEqual([
      'openslo.yaml:7 spec.timeWindow[0]: cannot express: calendar-aligned windows (okome-slo periods are rolling)',
      'openslo.yaml:16 spec.indicator.spec.ratioMetric.good.metricSource.type: cannot express: metric source "Datadog" (only Prometheus)',
      'openslo.yaml:27 spec.objectives: cannot express: 2 objectives (okome-slo needs exactly one per SLO; split it)',
    ]);
  });
});
