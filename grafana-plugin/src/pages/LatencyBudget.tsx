import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Text, useStyles2 } from '@grafana/ui';
import React, { useCallback } from 'react';
import { fetchTopology } from '../api/controller';
import type { HopBudgetSpec } from '../api/controllerTypes';
import { ApiError } from '../api/errors';
import { prometheusClient } from '../api/prometheus';
import type { Series } from '../api/prometheus';
import { HopTable } from '../components/Latency/HopTable';
import { LatencyStack } from '../components/Latency/LatencyStack';
import { SloCards } from '../components/Latency/SloCards';
import { EmptyState, ErrorState, LoadingState } from '../components/StateViews/StateViews';
import { TimeControls } from '../components/TimeControls/TimeControls';
import { testIds } from '../components/testIds';
import { PLUGIN_CONFIG_URL } from '../constants';
import { assembleLatency, thresholdsFromRules } from '../domain/latency';
import {
  e2eMeanQuery,
  hopMeanQuery,
  hopQuantileQuery,
  QUANTILES,
  rateRange,
  SLO_QUERIES,
} from '../domain/queries';
import { useAppSettings } from '../hooks/useAppSettings';
import { usePolling } from '../hooks/usePolling';
import { evaluateRange, useTimeRangeState } from '../hooks/useTimeRangeState';

type Assembled = ReturnType<typeof assembleLatency> & { trends: Map<string, Series> };

export function LatencyBudget() {
  const styles = useStyles2(getStyles);
  const settings = useAppSettings();
  const time = useTimeRangeState();
  const uid = settings.prometheusUid;

  // Budgets come from the inventory through the controller; the page still shows the measured
  // numbers when the controller is down, and says what is missing.
  const budgets = usePolling<HopBudgetSpec[]>(
    async (signal) => (await fetchTopology(signal)).budgets,
    time.key,
    time.refreshMs,
  );

  const load = useCallback(
    async (signal: AbortSignal): Promise<Assembled> => {
      if (!uid) {
        throw new ApiError(
          'prometheus',
          undefined,
          'No Prometheus datasource is configured for the plugin',
          `Pick one on the configuration page (${PLUGIN_CONFIG_URL}).`,
        );
      }
      const prom = prometheusClient(uid);
      const { start, end } = evaluateRange(time.from, time.to);
      const range = rateRange(end - start);
      const step = Math.max(5, Math.round((end - start) / 60));
      const trendRange = rateRange(Math.max(4 * step, 60));
      const at = (expr: string) => prom.instant(expr, end, signal);
      const [instants, trend, rules] = await Promise.all([
        Promise.all([
          ...QUANTILES.map((q) => at(hopQuantileQuery(q, range))),
          at(hopMeanQuery(range)),
          at(e2eMeanQuery(range)),
          at(SLO_QUERIES.info),
          at(SLO_QUERIES.objective),
          at(SLO_QUERIES.remaining),
          at(SLO_QUERIES.periodDays),
          at(SLO_QUERIES.burnRates),
          at(SLO_QUERIES.firingBurnAlerts),
        ]),
        prom.range(hopQuantileQuery(0.95, trendRange), start, end, step, signal),
        // Budgets are the thresholds of the SLO rules Prometheus evaluates; without rules the
        // table says "none set" rather than guessing.
        prom.recordingRules(signal).catch(() => []),
      ]);
      const [q50, q95, q99, means, e2e, info, objective, remaining, periodDays, burnRates, alerts] =
        instants;
      const assembled = assembleLatency({
        quantiles: { 0.5: q50, 0.95: q95, 0.99: q99 },
        means: means ?? [],
        e2eMean: e2e?.[0]?.value,
        budgets: [],
        thresholds: thresholdsFromRules(rules),
        slos: {
          info: info ?? [],
          objective: objective ?? [],
          remaining: remaining ?? [],
          periodDays: periodDays ?? [],
          burnRates: burnRates ?? [],
          alerts: alerts ?? [],
        },
      });
      const trends = new Map<string, Series>();
      for (const s of trend) if (s.labels.row) trends.set(s.labels.row, s);
      return { ...assembled, trends };
    },
    [uid, time.from, time.to],
  );
  const latency = usePolling(load, `${time.key}|${uid}`, time.refreshMs);

  // Budgets join at render time so a slow controller never holds back the Prometheus numbers.
  const data = latency.data;
  const rows = data?.rows.map((r) => {
    const budget = budgets.data?.find((b) => b.hop === r.def.hop && b.signal === r.def.signal);
    if (!budget) return r;
    const q = budget.quantile >= 0.99 ? r.p99 : budget.quantile >= 0.95 ? r.p95 : r.p50;
    return {
      ...r,
      budget,
      withinBudget: q === undefined ? undefined : q <= budget.thresholdSeconds,
    };
  });

  return (
    <PluginPage
      actions={
        <TimeControls
          state={time}
          onRefresh={() => {
            latency.reload();
            budgets.reload();
          }}
        />
      }
    >
      <div data-testid={testIds.latency.container} className={styles.page}>
        {latency.error && (
          <ErrorState
            error={latency.error}
            title="Latency data unavailable"
            stale={Boolean(data)}
          />
        )}
        {budgets.error && (
          <ErrorState
            error={budgets.error}
            title="Hop budgets unavailable (they come from okome-controller)"
          />
        )}
        {!data && latency.loading && <LoadingState text="Querying Prometheus…" />}
        {data && rows && (
          <>
            {data.rows.every((r) => !r.hasData) ? (
              <EmptyState title="No token-latency series in this time range">
                The exporters' taps record llm_* histograms per hop; widen the time range or check
                that traffic flows and Prometheus scrapes the exporters.
              </EmptyState>
            ) : (
              <LatencyStack segments={data.stack} total={data.totalSeconds} />
            )}
            <HopTable rows={rows} trends={data.trends} />
            <Text element="h4">Error budgets</Text>
            {data.slos.length === 0 ? (
              <EmptyState title="No SLO recording rules found">
                okome-slo writes slo:* recording rules; load them into Prometheus to see burn rates
                and remaining budgets.
              </EmptyState>
            ) : (
              <SloCards slos={data.slos} />
            )}
          </>
        )}
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
