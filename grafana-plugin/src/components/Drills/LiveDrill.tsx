import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Icon, Text, useStyles2 } from '@grafana/ui';
import type { IconName } from '@grafana/ui';
import React from 'react';
import type { DrillEvents, DrillProbe, DrillRecord, DrillStep } from '../../api/drillTypes';
import { formatSpan, NO_VALUE } from '../../domain/format';
import { Sparkline } from '../Sparkline/Sparkline';
import { testIds } from '../testIds';
import { StatusBadge } from './StatusBadge';
import { drillPanel } from './panelStyle';

const STEP_ICONS: Record<DrillStep['result'], IconName> = {
  ok: 'check',
  failed: 'times',
  skipped: 'minus',
  info: 'info-circle',
  running: 'fa fa-spinner',
};

function clock(iso: string | undefined): string {
  if (!iso) return NO_VALUE;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

function probeValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3);
}

function tolerance(p: DrillProbe): string {
  if (p.min !== undefined && p.max !== undefined) return `${p.min} … ${p.max}`;
  if (p.min !== undefined) return `≥ ${p.min}`;
  if (p.max !== undefined) return `≤ ${p.max}`;
  return NO_VALUE;
}

/** The milestones the report's times are measured between, in the order they happen. */
export const DRILL_MILESTONES: Array<{ key: keyof DrillEvents; label: string }> = [
  { key: 'start', label: 'Started' },
  { key: 'fault', label: 'Fault in' },
  { key: 'detect', label: 'Detected' },
  { key: 'reroute', label: 'Rerouted' },
  { key: 'rollback', label: 'Rolled back' },
  { key: 'recovered', label: 'Recovered' },
  { key: 'end', label: 'Ended' },
];

/** Seconds from the fault (detect, reroute) or from the rollback (recovered), as the report counts. */
function sinceAnchor(events: DrillEvents, key: keyof DrillEvents): string | undefined {
  const anchor =
    key === 'detect' || key === 'reroute'
      ? events.fault
      : key === 'recovered'
        ? events.rollback
        : undefined;
  const at = events[key];
  if (!anchor || !at) return undefined;
  const s = (Date.parse(at) - Date.parse(anchor)) / 1000;
  return Number.isFinite(s) ? `+${formatSpan(Math.max(0, s))}` : undefined;
}

function samplePoints(p: DrillProbe): Array<[number, number]> {
  return (p.samples ?? []).map((s) => [typeof s.t === 'number' ? s.t : Date.parse(s.t), s.v]);
}

/**
 * The drill being watched: its steps as a timeline, the probes with their latest value and shape,
 * and Abort whenever it is running (also while an abort is already under way).
 */
export function LiveDrill({
  drill,
  canAbort,
  abortReason,
  aborting,
  onAbort,
}: {
  drill: DrillRecord;
  canAbort: boolean;
  abortReason?: string;
  aborting: boolean;
  onAbort: () => void;
}) {
  const styles = useStyles2(getStyles);
  const running = drill.status === 'running';
  return (
    <div className={styles.box} data-testid={testIds.drills.live}>
      <div className={styles.header}>
        <Text element="h4">
          {drill.title ?? drill.scenario} on {drill.targets.join(', ') || NO_VALUE}
        </Text>
        <span data-testid={testIds.drills.status}>
          <StatusBadge status={drill.status} rolledBack={drill.rollbackDone} />
          {running && drill.phase ? ` ${drill.phase}` : ''}
        </span>
        {running && (
          <Button
            variant="destructive"
            icon="square-shape"
            data-testid={testIds.drills.abort}
            disabled={!canAbort || aborting}
            tooltip={canAbort ? undefined : abortReason}
            onClick={onAbort}
          >
            {aborting ? 'Aborting…' : 'Abort'}
          </Button>
        )}
      </div>
      {drill.actor && <Text color="secondary">Started by {drill.actor}</Text>}
      {drill.abort && (
        <div>
          Aborted ({drill.abort.reason}){drill.abort.detail ? `: ${drill.abort.detail}` : ''}
        </div>
      )}
      {drill.error && <div className={styles.bad}>Error: {drill.error}</div>}
      {!running && (
        <div>
          {drill.rollbackDone
            ? 'Rolled back: every fault and routing change of the drill was undone.'
            : 'Rollback has not completed.'}
        </div>
      )}
      {drill.events && (
        <ol className={styles.milestones}>
          {DRILL_MILESTONES.map(({ key, label }) => {
            const at = drill.events?.[key];
            const since = drill.events ? sinceAnchor(drill.events, key) : undefined;
            return (
              <li
                key={key}
                data-testid={testIds.drills.event(key)}
                className={at ? styles.reached : styles.pending}
              >
                <Icon name={at ? 'check-circle' : 'circle'} /> {label} {at ? clock(at) : NO_VALUE}
                {since ? ` (${since})` : ''}
              </li>
            );
          })}
        </ol>
      )}
      <ol className={styles.timeline}>
        {drill.steps.map((s, i) => (
          <li key={i} data-testid={testIds.drills.step(i)}>
            <Icon
              name={STEP_ICONS[s.result] ?? 'circle'}
              className={
                s.result === 'failed' ? styles.bad : s.result === 'ok' ? styles.ok : undefined
              }
            />{' '}
            <Text color="secondary">{clock(s.startedAt)}</Text> <b>{s.phase}</b> {s.name}
            {s.detail ? ` — ${s.detail}` : ''}
          </li>
        ))}
      </ol>
      {drill.probes.length > 0 && (
        <table className={styles.probes}>
          <thead>
            <tr>
              <th>Probe</th>
              <th>Last</th>
              <th>Tolerance</th>
              <th>Trend</th>
            </tr>
          </thead>
          <tbody>
            {drill.probes.map((p) => (
              <tr key={p.name}>
                <td title={p.query}>{p.name}</td>
                <td className={p.ok === false ? styles.bad : undefined}>{probeValue(p.last)}</td>
                <td>{tolerance(p)}</td>
                <td>
                  <Sparkline points={samplePoints(p)} threshold={p.min ?? p.max} height={24} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: drillPanel(theme),
  header: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2) }),
  timeline: css({ margin: 0, paddingLeft: theme.spacing(3) }),
  milestones: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  }),
  reached: css({ color: theme.colors.text.primary }),
  pending: css({ color: theme.colors.text.disabled }),
  probes: css({
    borderCollapse: 'collapse',
    'th, td': { padding: theme.spacing(0.5, 1), textAlign: 'left' },
    th: { color: theme.colors.text.secondary },
  }),
  ok: css({ color: theme.colors.success.text }),
  bad: css({ color: theme.colors.error.text }),
});
