import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import { formatLatency, formatPercent } from '../../domain/format';
import type { StackSegment } from '../../domain/latency';
import { testIds } from '../testIds';

const PALETTE = ['blue', 'green', 'purple', 'orange', 'semi-dark-yellow', 'red'];

/** Where the mean request's time goes, hop by hop, as one stacked bar with a legend. */
export function LatencyStack({ segments, total }: { segments: StackSegment[]; total?: number }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const color = (i: number) =>
    theme.visualization.getColorByName(PALETTE[i % PALETTE.length] as string);
  return (
    <div className={styles.wrap} data-testid={testIds.latency.stacked}>
      <Text element="h4">Where a request's time goes</Text>
      <Text color="secondary" variant="bodySmall">
        Mean over the time range{total !== undefined ? `; end to end ${formatLatency(total)}` : ''}
      </Text>
      <div className={styles.bar} role="img" aria-label="latency share per hop">
        {segments.map((s, i) => (
          <div
            key={s.id}
            className={styles.segment}
            style={{ flexGrow: s.share, background: color(i) }}
            title={`${s.label}: ${formatLatency(s.seconds)} (${formatPercent(s.share, 1)})`}
          />
        ))}
      </div>
      <div className={styles.legend}>
        {segments.map((s, i) => (
          <span key={s.id} className={styles.item}>
            <span className={styles.swatch} style={{ background: color(i) }} />
            {s.label} <strong>{formatLatency(s.seconds)}</strong>{' '}
            <span className={styles.muted}>{formatPercent(s.share, 1)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  bar: css({
    display: 'flex',
    height: 28,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
    background: theme.colors.background.canvas,
  }),
  segment: css({ minWidth: 3, flexBasis: 0 }),
  legend: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 3) }),
  item: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.75),
    fontVariantNumeric: 'tabular-nums',
  }),
  swatch: css({ width: 12, height: 12, borderRadius: 2, display: 'inline-block' }),
  muted: css({ color: theme.colors.text.secondary }),
});
