import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Drawer, Stack, Text, TextLink, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import type { PoolRouting, TopologyNode } from '../../api/controllerTypes';
import type { Series } from '../../api/prometheus';
import {
  formatBytes,
  formatLatency,
  formatPercent,
  formatTokensPerSecond,
} from '../../domain/format';
import type { PollState } from '../../hooks/usePolling';
import { ErrorState, LoadingState } from '../StateViews/StateViews';
import { Sparkline } from '../Sparkline/Sparkline';
import { testIds } from '../testIds';
import { healthColor } from './health';

export interface NodeSeries {
  title: string;
  unit: 'latency' | 'tokens' | 'ratio' | 'bytes';
  expr: string;
  series: Series[];
}

const FORMAT: Record<NodeSeries['unit'], (v: number) => string> = {
  latency: formatLatency,
  tokens: formatTokensPerSecond,
  ratio: (v) => formatPercent(v, 1),
  bytes: formatBytes,
};

export function NodeDetails({
  node,
  pools,
  series,
  exploreUrl,
  dashboards,
  onClose,
}: {
  node: TopologyNode;
  pools: PoolRouting[];
  series: PollState<NodeSeries[]>;
  exploreUrl: (expr: string) => string;
  dashboards: Array<{ title: string; url: string }>;
  onClose: () => void;
}) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const memberships = pools.flatMap((p) =>
    p.backends.filter((b) => b.node === node.id).map((b) => ({ pool: p.name, backend: b })),
  );
  const fronts = pools.filter((p) => p.frontends.includes(node.id)).map((p) => p.name);
  return (
    <Drawer
      title={node.id}
      subtitle={`${node.hostname} · ${node.roles.join(', ')}`}
      onClose={onClose}
      size="md"
    >
      <div data-testid={testIds.topology.sidePanel}>
        <Stack direction="column" gap={2}>
          <div>
            <Text element="h5">Health</Text>
            <div style={{ color: healthColor(theme, node.health) }}>{node.health}</div>
            {node.reasons.map((r) => (
              <div key={r} className={styles.muted}>
                {r}
              </div>
            ))}
          </div>
          {(memberships.length > 0 || fronts.length > 0) && (
            <div>
              <Text element="h5">Routing</Text>
              {fronts.map((p) => (
                <div key={p}>fronts pool {p}</div>
              ))}
              {memberships.map(({ pool, backend }) => (
                <div key={pool}>
                  backend in {pool}: <strong>{backend.state}</strong>
                  {backend.alert ? ` by ${backend.alert}` : ''}
                  {backend.reason ? ` (${backend.reason})` : ''}
                </div>
              ))}
            </div>
          )}
          <div>
            <Text element="h5">Series over the time range</Text>
            {series.error && <ErrorState error={series.error} stale={Boolean(series.data)} />}
            {!series.data && series.loading && <LoadingState text="Loading series…" />}
            {series.data?.map((s) => {
              const first = s.series[0];
              const last = first?.points.filter(([, v]) => Number.isFinite(v)).at(-1)?.[1];
              return (
                <div key={s.title} className={styles.series}>
                  <div className={styles.seriesHead}>
                    <span>{s.title}</span>
                    <span className={styles.value}>
                      {last === undefined ? 'no data' : FORMAT[s.unit](last)}
                    </span>
                  </div>
                  {first && <Sparkline points={first.points} />}
                  <TextLink href={exploreUrl(s.expr)} external variant="bodySmall">
                    Open in Explore
                  </TextLink>
                </div>
              );
            })}
          </div>
          {node.services.length > 0 && (
            <div>
              <Text element="h5">Services</Text>
              {node.services.map((s) => (
                <div key={s.name} className={styles.muted}>
                  {s.name} ({s.kind}
                  {s.port ? ` :${s.port}` : ''})
                </div>
              ))}
            </div>
          )}
          <div>
            <Text element="h5">Dashboards for {node.id}</Text>
            <Stack direction="column" gap={0.5}>
              {dashboards.map((d) => (
                <TextLink key={d.url} href={d.url} external={false}>
                  {d.title}
                </TextLink>
              ))}
            </Stack>
          </div>
        </Stack>
      </div>
    </Drawer>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  muted: css({ color: theme.colors.text.secondary }),
  series: css({
    padding: theme.spacing(1, 0),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  seriesHead: css({ display: 'flex', justifyContent: 'space-between' }),
  value: css({ fontVariantNumeric: 'tabular-nums', fontWeight: theme.typography.fontWeightMedium }),
});
