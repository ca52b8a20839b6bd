// SRE overview: is the cluster serving tokens, how fast, and what changed (alerts, routing, drills).
import type { Inventory } from '@okome/provisioning';
import { LLM_METRICS } from '@okome/exporters';
import type { Dashboard } from '@grafana/schema';
import { CLUSTER, CN, dashboard, row, stat, steps, table, timeseries, UP_DOWN } from '../builder';
import { budgetSeconds, findBudget, latencyThresholds, ratioFloor } from '../budgets';

const R = '$__rate_interval';
/** Failures the client caused are not the cluster's errors. */
const FAIL = `${LLM_METRICS.failures}{${CLUSTER},hop="ingress",kind!="client_abort"}`;
const REQS = `${LLM_METRICS.requests}{${CLUSTER},hop="ingress"}`;

export function sreOverview(inv: Inventory): Dashboard {
  const ttft = findBudget(inv, 'engine', 'first-token');
  const availability = inv.slo.availability;
  return dashboard({
    uid: 'okome-sre-overview',
    title: 'OKOME / SRE overview',
    description:
      'Health per node, token path success, first-token latency, throughput, firing alerts and routing changes. Drill phases and routing changes are annotations.',
    tags: ['sre', 'overview'],
    items: [
      row('Health'),
      stat({
        title: 'Exporter up per node',
        description:
          "Prometheus `up` of each node's okome-exporter. DOWN means the node (or its exporter) does not answer scrapes: the UNAVAILABLE state.",
        unit: 'none',
        w: 16,
        h: 5,
        mappings: UP_DOWN,
        thresholds: steps('red', [1, 'green']),
        options: { graphMode: 'none', textMode: 'value_and_name' },
        queries: [
          {
            expr: `min by (node) (up{job="okome-exporter",${CN}})`,
            legend: '{{node}}',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      stat({
        title: 'Failing collectors',
        description:
          'Collectors whose last scrape failed (okome_exporter_collector_success == 0). One failing collector makes a node DEGRADED.',
        unit: 'none',
        w: 4,
        h: 5,
        thresholds: steps('green', [1, 'orange']),
        options: { graphMode: 'none' },
        queries: [
          {
            expr: `count(okome_exporter_collector_success{${CN}} == 0) or vector(0)`,
            legend: 'failing',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      stat({
        title: 'Firing alerts',
        description:
          'Alerts firing now for this cluster, pages and tickets together (Prometheus ALERTS).',
        unit: 'none',
        w: 4,
        h: 5,
        thresholds: steps('green', [1, 'red']),
        options: { graphMode: 'none' },
        queries: [
          {
            expr: `count(ALERTS{alertstate="firing",${CLUSTER}}) or vector(0)`,
            legend: 'firing',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      row('Token path'),
      stat({
        title: 'Token path success ratio',
        description: `Share of requests entering at the ingress hop that completed without a cluster-side failure (client aborts excluded). Red below the availability SLO of ${availability}%.`,
        unit: 'percentunit',
        decimals: 2,
        w: 6,
        h: 6,
        thresholds: ratioFloor(availability),
        queries: [
          {
            expr: `1 - ((sum(rate(${FAIL}[${R}])) or vector(0)) / sum(rate(${REQS}[${R}])))`,
            legend: 'success',
          },
        ],
      }),
      stat({
        title: 'Time to first token p95 (ingress)',
        description: `95th percentile of the time from request to first token as users see it at the ingress.${ttft ? ` Orange from 80 % of the CORE first-token budget (${ttft.threshold}), red above it.` : ''}`,
        unit: 's',
        w: 6,
        h: 6,
        thresholds: latencyThresholds(ttft && budgetSeconds(ttft)),
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(${LLM_METRICS.ttft}_bucket{${CLUSTER},hop="ingress"}[${R}])))`,
            legend: 'p95',
          },
        ],
      }),
      stat({
        title: 'Tokens per second',
        description: 'Generated tokens per second across the cluster, counted at the ingress hop.',
        unit: 'short',
        w: 6,
        h: 6,
        thresholds: steps('blue'),
        queries: [
          {
            expr: `sum(rate(${LLM_METRICS.generationTokens}{${CLUSTER},hop="ingress"}[${R}]))`,
            legend: 'tokens/s',
          },
        ],
      }),
      stat({
        title: 'Requests per second',
        description: 'Requests entering the token path at the ingress hop.',
        unit: 'reqps',
        w: 6,
        h: 6,
        thresholds: steps('blue'),
        queries: [{ expr: `sum(rate(${REQS}[${R}]))`, legend: 'requests/s' }],
      }),
      timeseries({
        title: 'Time to first token by hop (p95)',
        description:
          'p95 first-token time observed entering each hop. The gap between two hops is the latency the outer one adds; see the Latency budget dashboard.',
        unit: 's',
        w: 12,
        h: 8,
        thresholds: latencyThresholds(ttft && budgetSeconds(ttft)),
        thresholdStyle: 'dashed',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le, hop) (rate(${LLM_METRICS.ttft}_bucket{${CN}}[${R}])))`,
            legend: '{{hop}}',
          },
        ],
      }),
      timeseries({
        title: 'Failures by kind',
        description:
          'llm_request_failures_total by hop and kind: timeout, connect, upstream_reset, http_5xx, http_4xx, incomplete, client_abort. Zero when nothing failed.',
        unit: 'reqps',
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (hop, kind) (rate(${LLM_METRICS.failures}{${CN}}[${R}])) or on() vector(0)`,
            legend: '{{hop}} {{kind}}',
          },
        ],
      }),
      row('Alerts and routing'),
      table({
        title: 'Firing alerts by name',
        description: 'Alerts firing now, counted by name and severity; "none" when all is quiet.',
        unit: 'none',
        w: 12,
        h: 8,
        queries: [
          {
            expr: `count by (alertname, severity) (ALERTS{alertstate="firing",${CLUSTER}}) or on() label_replace(vector(0), "alertname", "none", "", "")`,
            instant: true,
          },
        ],
        transformations: [
          {
            id: 'organize',
            options: { excludeByName: { Time: true }, renameByName: { Value: 'firing' } },
          },
        ],
      }),
      table({
        title: 'Routing state per backend',
        description:
          "The controller's current routing: each pool's backends and whether they are enabled, draining or disabled.",
        unit: 'none',
        w: 12,
        h: 8,
        queries: [{ expr: `okome_controller_backend_state{${CLUSTER}} == 1`, instant: true }],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: {
                Time: true,
                Value: true,
                __name__: true,
                job: true,
                instance: true,
                role: true,
                node: true,
                cluster: true,
              },
              indexByName: { pool: 0, backend: 1, state: 2 },
            },
          },
        ],
      }),
      stat({
        title: 'Failover drill',
        description:
          'Whether a failover drill runs now (okome_drill_active from the controller); its phases show as annotations.',
        unit: 'none',
        w: 6,
        h: 7,
        mappings: [
          {
            type: 'value',
            options: {
              '0': { text: 'none running', color: 'green', index: 0 },
              '1': { text: 'RUNNING', color: 'purple', index: 1 },
            },
          },
        ],
        thresholds: steps('green', [1, 'purple']),
        options: { graphMode: 'none' },
        queries: [
          {
            expr: `max(okome_drill_active{${CLUSTER}}) or vector(0)`,
            legend: 'drill',
            instant: true,
            format: 'time_series',
          },
        ],
      }),
      timeseries({
        title: 'Routing changes',
        description:
          'Routing changes the controller applied (okome_controller_actions_total), by pool and action. They also show as annotations.',
        unit: 'short',
        w: 18,
        h: 7,
        custom: { drawStyle: 'bars', fillOpacity: 60 },
        queries: [
          {
            expr: `sum by (pool, action) (increase(okome_controller_actions_total{${CLUSTER}}[${R}])) or on() vector(0)`,
            legend: '{{pool}} {{action}}',
          },
        ],
      }),
    ],
  });
}
