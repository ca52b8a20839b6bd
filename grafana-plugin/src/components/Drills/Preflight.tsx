import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Icon, Text, useStyles2 } from '@grafana/ui';
import React from 'react';
import type { DryRunResponse, ScenarioView } from '../../api/drillTypes';
import { formatPercent, NO_VALUE } from '../../domain/format';
import { testIds } from '../testIds';
import type { StartPermission } from './role';
import { alertName } from './ScenarioList';
import { drillPanel } from './panelStyle';

function routingText(r: DryRunResponse['expectedRouting'][number]): string {
  if (typeof r === 'string') return r;
  return `${r.pool}: ${r.backend} → ${(r.states ?? []).join(' or ') || 'changed'}`;
}

export function Preflight({
  scenario,
  dryRun,
  permission,
  busy,
  blockedBy,
  onStart,
}: {
  scenario: ScenarioView;
  /** Absent for a Viewer: the dry run is a POST, which the plugin routes keep for Editors. */
  dryRun?: DryRunResponse;
  permission: StartPermission;
  busy: boolean;
  /** Another drill is running (one at a time). */
  blockedBy?: string;
  onStart: () => void;
}) {
  const styles = useStyles2(getStyles);
  const reason = !permission.allowed
    ? permission.reason
    : blockedBy
      ? `Drill ${blockedBy} is running: one drill at a time`
      : !dryRun?.preflight.ok
        ? 'The preflight refuses this drill (see the failed checks)'
        : undefined;
  return (
    <div className={styles.box} data-testid={testIds.drills.preflight}>
      {dryRun ? (
        <DryRunView dryRun={dryRun} />
      ) : (
        <>
          <Text element="h4">
            {scenario.title || scenario.name}: {scenario.count} of{' '}
            {scenario.candidates.join(', ') || NO_VALUE}
          </Text>
          <div>{scenario.description}</div>
          <div>
            Expected alerts:{' '}
            {scenario.expectedAlerts.length
              ? scenario.expectedAlerts.map(alertName).join(', ')
              : NO_VALUE}
          </div>
          <Text color="secondary">The dry run (exact plan per target) needs the Editor role.</Text>
        </>
      )}
      <div className={styles.actions}>
        <Button
          data-testid={testIds.drills.start}
          icon="play"
          disabled={Boolean(reason) || busy}
          tooltip={reason}
          onClick={onStart}
        >
          {busy ? 'Starting…' : 'Start drill'}
        </Button>
        {reason && (
          <span data-testid={testIds.drills.startReason}>
            <Text color="secondary">{reason}</Text>
          </span>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: drillPanel(theme),
  list: css({ margin: 0, paddingLeft: theme.spacing(3) }),
  ok: css({ color: theme.colors.success.text }),
  bad: css({ color: theme.colors.error.text }),
  actions: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2) }),
});

function DryRunView({ dryRun }: { dryRun: DryRunResponse }) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <Text element="h4">
        Preflight: {dryRun.scenario} on {dryRun.targets.join(', ') || NO_VALUE}
        {dryRun.simulated ? ' (simulated cluster)' : ''}
      </Text>
      <div>
        Error budget remaining:{' '}
        {dryRun.preflight.budgetRemaining == null
          ? 'unknown (no data, not enforced)'
          : formatPercent(dryRun.preflight.budgetRemaining)}
      </div>
      <ul className={styles.list}>
        {dryRun.preflight.checks.map((c) => (
          <li key={c.name}>
            <Icon name={c.ok ? 'check' : 'times'} className={c.ok ? styles.ok : styles.bad} />{' '}
            {c.name}
            {c.detail ? `: ${c.detail}` : ''}
          </li>
        ))}
      </ul>
      <Text element="h5">What will happen</Text>
      <ol className={styles.list}>
        {dryRun.plan.map((p, i) => (
          <li key={i}>
            <Text color="secondary">{p.phase}</Text> {p.node ? `${p.node}: ` : ''}
            {p.action}
            {p.detail ? ` (${p.detail})` : ''}
          </li>
        ))}
      </ol>
      <div>
        Expected alerts:{' '}
        {dryRun.expectedAlerts.length ? dryRun.expectedAlerts.map(alertName).join(', ') : NO_VALUE}
      </div>
      <div>
        Expected routing:{' '}
        {dryRun.expectedRouting.length
          ? dryRun.expectedRouting.map(routingText).join('; ')
          : NO_VALUE}
      </div>
    </>
  );
}
