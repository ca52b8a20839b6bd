import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, Text, useStyles2 } from '@grafana/ui';
import React from 'react';
import type { DrillRecord } from '../../api/drillTypes';
import { formatPercent, formatSpan, NO_VALUE } from '../../domain/format';
import { testIds } from '../testIds';
import { StatusBadge } from './StatusBadge';
import { drillPanel } from './panelStyle';

/** A finished drill's report; a drill without a report (still running, crashed) says so. */
export function DrillReportView({ drill }: { drill: DrillRecord }) {
  const styles = useStyles2(getStyles);
  const r = drill.report;
  return (
    <div className={styles.box} data-testid={testIds.drills.report}>
      <Text element="h4">
        Report: {drill.title ?? drill.scenario} ({drill.id})
      </Text>
      <div>
        <StatusBadge status={r?.status ?? drill.status} rolledBack={drill.rollbackDone} />
        {r?.summary ? ` ${r.summary}` : ''}
      </div>
      {!r ? (
        <Text color="secondary">No report yet: the drill has not finished.</Text>
      ) : (
        <>
          <dl className={styles.facts}>
            <dt>Time to detect</dt>
            <dd>{formatSpan(r.timeToDetectSeconds)}</dd>
            <dt>Time to reroute</dt>
            <dd>{formatSpan(r.timeToRerouteSeconds)}</dd>
            <dt>Time to recover</dt>
            <dd>{formatSpan(r.timeToRecoverSeconds)}</dd>
            <dt>Duration</dt>
            <dd>{formatSpan(r.durationSeconds)}</dd>
            <dt>Client errors</dt>
            <dd>
              {r.clientErrors?.failed == null
                ? NO_VALUE
                : `${Math.round(r.clientErrors.failed)} of ${
                    r.clientErrors.requests == null ? NO_VALUE : Math.round(r.clientErrors.requests)
                  } requests (${formatPercent(r.clientErrors.ratio)})`}
            </dd>
            <dt>Error budget spent</dt>
            <dd>{formatPercent(r.budgetSpent)}</dd>
          </dl>
          <Text element="h5">Hypotheses</Text>
          <ul className={styles.list}>
            {r.hypotheses.map((h) => (
              <li key={h.name}>
                <Icon
                  name={h.passed ? 'check' : 'times'}
                  className={h.passed ? styles.ok : styles.bad}
                />{' '}
                {h.passed ? 'pass' : 'fail'}: {h.name}
                {h.detail ? ` — ${h.detail}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: drillPanel(theme),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
  list: css({ margin: 0, paddingLeft: theme.spacing(3) }),
  ok: css({ color: theme.colors.success.text }),
  bad: css({ color: theme.colors.error.text }),
});
