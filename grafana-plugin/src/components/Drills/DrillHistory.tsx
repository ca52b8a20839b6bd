import { Button, useStyles2 } from '@grafana/ui';
import React from 'react';
import type { DrillSummary } from '../../api/drillTypes';
import { formatSpan, NO_VALUE } from '../../domain/format';
import { testIds } from '../testIds';
import { getStyles } from './ScenarioList';
import { StatusBadge } from './StatusBadge';

function when(iso: string | undefined): string {
  if (!iso) return NO_VALUE;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function DrillHistory({
  drills,
  onOpen,
}: {
  drills: DrillSummary[];
  onOpen: (id: string) => void;
}) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.drills.history}>
      <thead>
        <tr>
          <th>Started</th>
          <th>Scenario</th>
          <th>Targets</th>
          <th>Result</th>
          <th>Detect</th>
          <th>Reroute</th>
          <th>Recover</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {drills.map((d) => (
          <tr key={d.id} data-testid={testIds.drills.historyRow(d.id)}>
            <td>{when(d.createdAt)}</td>
            <td>{d.title ?? d.scenario}</td>
            <td>{d.targets?.join(', ') || NO_VALUE}</td>
            <td>
              <StatusBadge status={d.status} />
              {d.abortReason ? ` (${d.abortReason})` : ''}
            </td>
            <td>{formatSpan(d.timeToDetectSeconds)}</td>
            <td>{formatSpan(d.timeToRerouteSeconds)}</td>
            <td>{formatSpan(d.timeToRecoverSeconds)}</td>
            <td>
              <Button size="sm" variant="secondary" onClick={() => onOpen(d.id)}>
                {d.status === 'running' ? 'Watch' : 'Report'}
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
