import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Text, useStyles2 } from '@grafana/ui';
import React from 'react';
import type { ScenarioView } from '../../api/drillTypes';
import { NO_VALUE } from '../../domain/format';
import { testIds } from '../testIds';
import { StatusBadge } from './StatusBadge';

export function alertName(a: string | { alertname: string }): string {
  return typeof a === 'string' ? a : a.alertname;
}

export function ScenarioList({
  scenarios,
  selected,
  onSelect,
}: {
  scenarios: ScenarioView[];
  selected?: string;
  onSelect: (name: string) => void;
}) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.drills.scenarios}>
      <thead>
        <tr>
          <th>Scenario</th>
          <th>Targets</th>
          <th>Expected alerts</th>
          <th>Last result</th>
          <th>Score</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {scenarios.map((s) => (
          <tr
            key={s.name}
            data-testid={testIds.drills.scenario(s.name)}
            className={s.name === selected ? styles.selected : undefined}
          >
            <td>
              <Text weight="medium">{s.title || s.name}</Text>
              <div>
                <Text color="secondary" variant="bodySmall">
                  {s.description}
                </Text>
              </div>
              {!s.allowed && (
                <Text color="warning" variant="bodySmall">
                  Not in the inventory's drills.allowed
                </Text>
              )}
            </td>
            <td>
              {s.count} of {s.candidates.length ? s.candidates.join(', ') : NO_VALUE}
            </td>
            <td>
              {s.expectedAlerts.length ? s.expectedAlerts.map(alertName).join(', ') : NO_VALUE}
            </td>
            <td>{s.lastResult ? <StatusBadge status={s.lastResult.status} /> : 'never run'}</td>
            <td>{s.score === null ? NO_VALUE : `${Math.round(s.score)} / 100`}</td>
            <td>
              <Button
                size="sm"
                variant="secondary"
                data-testid={testIds.drills.select(s.name)}
                onClick={() => onSelect(s.name)}
              >
                Preflight
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  selected: css({ background: theme.colors.action.selected }),
});
