import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { useCallback, useState } from 'react';
import { fetchTopology } from '../api/controller';
import { HEALTH_STATES } from '../api/controllerTypes';
import type { HealthState, Topology as TopologyData } from '../api/controllerTypes';
import { ApiError } from '../api/errors';
import { prometheusClient } from '../api/prometheus';
import type { Sample } from '../api/prometheus';
import { EmptyState, ErrorState, LoadingState } from '../components/StateViews/StateViews';
import { TimeControls } from '../components/TimeControls/TimeControls';
import { NodeDetails } from '../components/Topology/NodeDetails';
import type { NodeSeries } from '../components/Topology/NodeDetails';
import { RoutingPanel } from '../components/Topology/RoutingPanel';
import { TopologyDiagram } from '../components/Topology/TopologyDiagram';
import { testIds } from '../components/testIds';
import { nodeDashboardLinks, PLUGIN_CONFIG_URL } from '../constants';
import { formatSince } from '../domain/format';
import { nodeMetricsFrom } from '../domain/nodeMetrics';
import type { NodeMetrics, NodeQueryResults } from '../domain/nodeMetrics';
import { nodeQueries, nodeSeriesQueries, rateRange } from '../domain/queries';
import { useAppSettings } from '../hooks/useAppSettings';
import { usePolling } from '../hooks/usePolling';
import { evaluateRange, useTimeRangeState } from '../hooks/useTimeRangeState';

const HEALTH_BADGE: Record<HealthState, 'green' | 'orange' | 'red' | 'blue' | 'darkgrey'> = {
  HEALTHY: 'green',
  DEGRADED: 'orange',
  UNAVAILABLE: 'red',
  MAINTENANCE: 'blue',
  UNKNOWN: 'darkgrey',
};

function missingPrometheus(): ApiError {
  return new ApiError(
    'prometheus',
    undefined,
    'No Prometheus datasource is configured for the plugin',
    `Pick one on the configuration page (${PLUGIN_CONFIG_URL}).`,
  );
}

export function Topology() {
  const styles = useStyles2(getStyles);
  const settings = useAppSettings();
  const time = useTimeRangeState();
  const [selected, setSelected] = useState<string>();
  const uid = settings.prometheusUid;

  const topo = usePolling((signal) => fetchTopology(signal), time.key, time.refreshMs);
  const loadMetrics = useCallback(
    async (signal: AbortSignal): Promise<Map<string, NodeMetrics>> => {
      if (!uid) throw missingPrometheus();
      const { start, end } = evaluateRange(time.from, time.to);
      const range = rateRange(Math.min(end - start, 300));
      const prom = prometheusClient(uid);
      const entries = Object.entries(nodeQueries(range));
      const answers = await Promise.all(entries.map(([, expr]) => prom.instant(expr, end, signal)));
      const results: NodeQueryResults = {};
      entries.forEach(([k], i) => {
        results[k as keyof NodeQueryResults] = answers[i] as Sample[];
      });
      return nodeMetricsFrom(results);
    },
    [uid, time.from, time.to],
  );
  const metrics = usePolling(loadMetrics, `${time.key}|${uid}`, time.refreshMs);

  const loadSeries = useCallback(
    async (signal: AbortSignal): Promise<NodeSeries[]> => {
      const roles = topo.data?.nodes.find((n) => n.id === selected)?.roles;
      if (!selected || !roles) return [];
      if (!uid) throw missingPrometheus();
      const { start, end } = evaluateRange(time.from, time.to);
      const step = Math.max(5, Math.round((end - start) / 120));
      const prom = prometheusClient(uid);
      const defs = nodeSeriesQueries(selected, roles, rateRange(Math.max(4 * step, 60)));
      const series = await Promise.all(
        defs.map((d) => prom.range(d.expr, start, end, step, signal)),
      );
      return defs.map((d, i) => ({ ...d, series: series[i] ?? [] }));
    },
    [selected, uid, time.from, time.to, topo.data],
  );
  const nodeSeries = usePolling(loadSeries, `${time.key}|${uid}|${selected}`, time.refreshMs);

  const refresh = () => {
    topo.reload();
    metrics.reload();
    nodeSeries.reload();
  };
  const data: TopologyData | undefined = topo.data;
  const node = data?.nodes.find((n) => n.id === selected);
  const counts = HEALTH_STATES.map(
    (h) => [h, data?.nodes.filter((n) => n.health === h).length ?? 0] as const,
  );

  return (
    <PluginPage actions={<TimeControls state={time} onRefresh={refresh} />}>
      <div data-testid={testIds.topology.container} className={styles.page}>
        {topo.error && (
          <ErrorState error={topo.error} title="Topology unavailable" stale={Boolean(data)} />
        )}
        {metrics.error && (
          <ErrorState
            error={metrics.error}
            title="Node numbers unavailable"
            stale={Boolean(metrics.data)}
          />
        )}
        {!data && topo.loading && <LoadingState text="Loading topology from okome-controller…" />}
        {data && data.nodes.length === 0 && (
          <EmptyState title="The controller reports no nodes">
            Check the inventory okome-controller was started with.
          </EmptyState>
        )}
        {data && data.nodes.length > 0 && (
          <>
            <Stack gap={1} alignItems="center" wrap="wrap">
              <Text element="h3">Cluster {data.cluster}</Text>
              {counts
                .filter(([, n]) => n > 0)
                .map(([h, n]) => (
                  <Badge key={h} text={`${n} ${h}`} color={HEALTH_BADGE[h]} />
                ))}
              {data.activeDrill && (
                <Badge
                  text={`drill ${data.activeDrill.scenario ?? data.activeDrill.id} ${data.activeDrill.phase ?? ''}`}
                  color="purple"
                  icon="fire"
                />
              )}
              <Text color="secondary" variant="bodySmall">
                updated{' '}
                {topo.updatedAt
                  ? formatSince(new Date(topo.updatedAt).toISOString(), Date.now())
                  : '—'}
                {time.refreshMs ? ` · every ${time.refresh}` : ' · auto-refresh off'}
              </Text>
            </Stack>
            {data.stale && (
              <Alert severity="warning" title="Health states may be out of date">
                okome-controller could not refresh them from Prometheus
                {data.staleReason ? `: ${data.staleReason}` : ''}.
              </Alert>
            )}
            <TopologyDiagram
              topology={data}
              metrics={withControllerNumbers(data, metrics.data)}
              selected={selected}
              onSelect={setSelected}
            />
            <Text element="h4">Routing</Text>
            {data.pools.length === 0 ? (
              <EmptyState title="No routing pools">
                The inventory declares no routing pools.
              </EmptyState>
            ) : (
              <RoutingPanel pools={data.pools} actions={data.actions} now={Date.now()} />
            )}
          </>
        )}
        {node && data && (
          <NodeDetails
            node={node}
            pools={data.pools}
            series={nodeSeries}
            exploreUrl={(expr) => exploreUrl(uid, expr, time.from, time.to)}
            dashboards={nodeDashboardLinks(node.id, node.roles, time.from, time.to)}
            onClose={() => setSelected(undefined)}
          />
        )}
      </div>
    </PluginPage>
  );
}

/** Prometheus numbers per node; the controller's own reading where Prometheus gave none. */
export function withControllerNumbers(
  topo: TopologyData,
  fromProm: Map<string, NodeMetrics> | undefined,
): Map<string, NodeMetrics> {
  const out = new Map(fromProm ?? []);
  for (const n of topo.nodes) {
    if (out.has(n.id) || !n.numbers) continue;
    out.set(n.id, {
      gpu: Object.entries(n.numbers.gpuMemoryByEngine).map(([engine, usedBytes]) => ({
        engine,
        usedBytes,
        budgetBytes: n.gpus.flatMap((g) => g.budgets).find((b) => b.engine === engine)?.memoryMiB
          ? (n.gpus.flatMap((g) => g.budgets).find((b) => b.engine === engine)
              ?.memoryMiB as number) *
            1024 *
            1024
          : undefined,
      })),
      tokensPerSecond: n.numbers.tokensPerSecond,
      ttftP95: n.numbers.ttftP95Seconds,
      cacheHitRatio: n.numbers.cacheHitRatio,
    });
  }
  return out;
}

function exploreUrl(uid: string | undefined, expr: string, from: string, to: string): string {
  const left = {
    datasource: uid,
    queries: [{ refId: 'A', expr, datasource: { type: 'prometheus', uid } }],
    range: { from, to },
  };
  return `/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify({ a: left }))}`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
