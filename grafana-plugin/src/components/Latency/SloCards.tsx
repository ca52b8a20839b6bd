import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Text, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import { formatBudgetLeft, formatBurnRate, formatObjective, formatSpan } from '../../domain/format';
import type { SloStatus } from '../../domain/latency';
import { testIds } from '../testIds';

/** One stat-like card per SLO: budget left, time to exhaustion, burn and firing alerts. */
export function SloCards({ slos }: { slos: SloStatus[] }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const firing = slos.flatMap((s) => s.firing);
  return (
    <div className={styles.wrap}>
      <div data-testid={testIds.latency.alerts} className={styles.alerts}>
        {firing.length === 0 ? (
          <Badge color="green" icon="check-circle" text="No ErrorBudgetBurn alert firing" />
        ) : (
          // One badge per SLO: its worst severity and the window pairs burning.
          slos
            .filter((s) => s.firing.length > 0)
            .map((s) => {
              const page = s.firing.some((a) => a.severity === 'page');
              const windows = s.firing.map((a) => (a.long ? `${a.short}/${a.long}` : a.severity));
              return (
                <Badge
                  key={s.name}
                  color={page ? 'red' : 'orange'}
                  icon="fire"
                  text={`ErrorBudgetBurn ${s.name} (${page ? 'page' : 'ticket'}: ${windows.join(', ')})`}
                />
              );
            })
        )}
      </div>
      <div className={styles.grid}>
        {slos.map((s) => {
          const left = s.remaining;
          const color =
            left === undefined
              ? theme.colors.text.secondary
              : left <= 0
                ? theme.colors.error.text
                : left < 0.25
                  ? theme.colors.warning.text
                  : theme.colors.success.text;
          const burn = s.burnRates.find((b) => b.window === '1h') ?? s.burnRates[0];
          return (
            <div key={s.name} className={styles.card}>
              <Text variant="bodySmall" color="secondary">
                {s.name} · objective {formatObjective((s.objective ?? NaN) * 100)}
              </Text>
              <div className={styles.big} style={{ color }}>
                {formatBudgetLeft(left).left}
              </div>
              <Text variant="bodySmall" color="secondary">
                error budget left
                {s.periodSeconds ? ` of ${formatSpan(s.periodSeconds)}` : ''}
              </Text>
              <div className={styles.line}>
                {s.timeToExhaustionSeconds === 0
                  ? (formatBudgetLeft(left).overspent ?? 'budget exhausted')
                  : s.timeToExhaustionSeconds !== undefined
                    ? `empty in ${formatSpan(s.timeToExhaustionSeconds)}`
                    : 'not burning'}
                {burn ? ` · burn ${formatBurnRate(burn.value)} (${burn.window})` : ''}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1.5) }),
  alerts: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    gap: theme.spacing(1.5),
  }),
  card: css({
    padding: theme.spacing(1.5, 2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  big: css({
    fontSize: theme.typography.h1.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    fontVariantNumeric: 'tabular-nums',
    lineHeight: 1.2,
  }),
  line: css({ fontVariantNumeric: 'tabular-nums', marginTop: theme.spacing(0.5) }),
});
