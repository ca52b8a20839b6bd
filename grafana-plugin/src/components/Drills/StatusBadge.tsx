import { Badge } from '@grafana/ui';
import type { BadgeColor } from '@grafana/ui';
import React from 'react';
import type { DrillStatus } from '../../api/drillTypes';

const COLORS: Record<DrillStatus, BadgeColor> = {
  running: 'blue',
  passed: 'green',
  failed: 'red',
  aborted: 'orange',
  error: 'red',
};

export function StatusBadge({ status, rolledBack }: { status: DrillStatus; rolledBack?: boolean }) {
  const text = rolledBack && status !== 'running' ? `${status}, rolled back` : status;
  return <Badge color={COLORS[status] ?? 'darkgrey'} text={text} />;
}
