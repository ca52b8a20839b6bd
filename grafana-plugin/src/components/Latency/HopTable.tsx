import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, InteractiveTable, useStyles2, useTheme2 } from '@grafana/ui';
import type { Column } from '@grafana/ui';
import React from 'react';
import type { Series } from '../../api/prometheus';
import {
  formatBudgetLeft,
  formatBurnRate,
  formatLatency,
  formatObjective,
  formatPercent,
  formatSpan,
  NO_VALUE,
} from '../../domain/format';
import type { HopLatencyRow } from '../../domain/latency';
import { Sparkline } from '../Sparkline/Sparkline';
import { testIds } from '../testIds';

export interface HopTableProps {
  rows: HopLatencyRow[];
  /** p95 over the time range per row id, for the trend column. */
  trends?: Map<string, Series>;
}

type Row = HopLatencyRow & { id: string };

export function HopTable({ rows, trends }: HopTableProps) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const latencyCell = (key: 'p50' | 'p95' | 'p99') =>
    function Cell({ row: { original } }: { row: { original: Row } }) {
      const v = original[key];
      const q = key === 'p50' ? 0.5 : key === 'p95' ? 0.95 : 0.99;
      const over =
        original.budget && original.budget.quantile === q && v !== undefined
          ? v > original.budget.thresholdSeconds
          : false;
      return (
        <span className={styles.num} style={over ? { color: theme.colors.error.text } : undefined}>
          {original.hasData ? formatLatency(v) : NO_VALUE}
        </span>
      );
    };
  const columns: Array<Column<Row>> = [
    {
      id: 'hop',
      header: 'Hop',
      cell: ({ row: { original } }) => (
        <span
          data-testid={testIds.latency.hopRow(original.def.id)}
          data-has-data={original.hasData}
        >
          <strong>{original.def.label}</strong>
          {!original.hasData && <div className={styles.muted}>no data in this range</div>}
        </span>
      ),
    },
    {
      id: 'budget',
      header: 'Budget',
      cell: ({ row: { original } }) =>
        original.budget ? (
          <span className={styles.num}>
            {`< ${formatLatency(original.budget.thresholdSeconds)}`}
            <div className={styles.muted}>p{Math.round(original.budget.quantile * 100)}</div>
          </span>
        ) : (
          <span className={styles.muted}>none set</span>
        ),
    },
    { id: 'p50', header: 'p50', cell: latencyCell('p50') },
    { id: 'p95', header: 'p95', cell: latencyCell('p95') },
    { id: 'p99', header: 'p99', cell: latencyCell('p99') },
    {
      id: 'trend',
      header: 'p95 trend',
      cell: ({ row: { original } }) => {
        const s = trends?.get(original.def.id);
        return s ? (
          <div className={styles.trend}>
            <Sparkline
              points={s.points}
              height={24}
              threshold={original.budget?.thresholdSeconds}
            />
          </div>
        ) : (
          <span className={styles.muted}>{NO_VALUE}</span>
        );
      },
    },
    {
      id: 'share',
      header: 'Share of request',
      cell: ({ row: { original } }) => (
        <span className={styles.num}>{formatPercent(original.share, 1)}</span>
      ),
    },
    {
      id: 'objective',
      header: 'SLO',
      cell: ({ row: { original } }) =>
        original.slo ? (
          <span className={styles.num}>
            {formatObjective((original.slo.objective ?? NaN) * 100)}
            <div className={styles.muted}>{original.slo.name}</div>
          </span>
        ) : (
          <span className={styles.muted}>no SLO</span>
        ),
    },
    {
      id: 'burn',
      header: 'Burn rate',
      cell: ({ row: { original } }) =>
        original.slo?.burnRates.length ? (
          <div className={styles.burns}>
            {original.slo.burnRates.map((b) => (
              <span
                key={b.window}
                className={styles.burn}
                style={b.value >= 1 ? { color: theme.colors.warning.text } : undefined}
              >
                <span className={styles.muted}>{b.window}</span> {formatBurnRate(b.value)}
              </span>
            ))}
          </div>
        ) : (
          <span className={styles.muted}>{NO_VALUE}</span>
        ),
    },
    {
      id: 'remaining',
      header: 'Budget left',
      cell: ({ row: { original } }) => (
        <span className={styles.num}>
          {formatBudgetLeft(original.slo?.remaining).left}
          <div className={styles.muted}>
            {original.slo?.timeToExhaustionSeconds === 0
              ? (formatBudgetLeft(original.slo.remaining).overspent ?? 'exhausted')
              : original.slo?.timeToExhaustionSeconds !== undefined
                ? `empty in ${formatSpan(original.slo.timeToExhaustionSeconds)}`
                : original.slo
                  ? 'not burning'
                  : ''}
          </div>
        </span>
      ),
    },
    {
      id: 'alerts',
      header: 'Alerts',
      cell: ({ row: { original } }) =>
        original.slo?.firing.length ? (
          <div className={styles.burns}>
            {original.slo.firing.map((a, i) => (
              <Badge
                key={i}
                color={a.severity === 'page' ? 'red' : 'orange'}
                icon="fire"
                text={`${a.severity}${a.long ? ` ${a.long}` : ''}`}
              />
            ))}
          </div>
        ) : (
          <span className={styles.muted}>none</span>
        ),
    },
  ];
  return (
    <div data-testid={testIds.latency.table}>
      <InteractiveTable<Row>
        columns={columns}
        data={rows.map((r) => ({ ...r, id: r.def.id }))}
        getRowId={(r) => r.id}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  num: css({ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  trend: css({ width: 120 }),
  burns: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5, 1), maxWidth: 260 }),
  burn: css({ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }),
});
