import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Text, useStyles2 } from '@grafana/ui';
import React from 'react';
import type { IncidentAction, PoolRouting } from '../../api/controllerTypes';
import { formatSince } from '../../domain/format';
import { testIds } from '../testIds';

const BADGE: Record<string, 'green' | 'orange' | 'red'> = {
  enabled: 'green',
  drain: 'orange',
  disabled: 'red',
};

/** Each pool's backends: which are drained or disabled, by which alert, since when. */
export function RoutingPanel({
  pools,
  actions,
  now,
}: {
  pools: PoolRouting[];
  actions: IncidentAction[];
  now: number;
}) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.wrap}>
      {pools.map((p) => (
        <section key={p.name} className={styles.pool} data-testid={testIds.topology.pool(p.name)}>
          <div className={styles.head}>
            <Text element="h5">Pool {p.name}</Text>
            <Text color="secondary" variant="bodySmall">
              {p.hop ? `${p.hop} hop` : ''}
              {p.frontends.length ? ` · via ${p.frontends.join(', ')}` : ''}
            </Text>
          </div>
          <table className={styles.table}>
            <tbody>
              {p.backends.map((b) => (
                <tr
                  key={b.node}
                  data-testid={testIds.topology.backend(p.name, b.node)}
                  data-state={b.state}
                >
                  <td className={styles.node}>
                    {b.node}
                    {b.backup ? <span className={styles.muted}> backup</span> : null}
                  </td>
                  <td>
                    <Badge text={b.state} color={BADGE[b.state] ?? 'blue'} />
                  </td>
                  <td className={styles.muted}>
                    {b.state === 'enabled'
                      ? b.weight !== undefined
                        ? `weight ${b.weight}`
                        : ''
                      : [
                          b.reason,
                          b.alert ? `alert ${b.alert}` : b.actor ? `by ${b.actor}` : undefined,
                          b.since ? formatSince(b.since, now) : undefined,
                          b.pendingRevertAt
                            ? `back at ${new Date(b.pendingRevertAt).toLocaleTimeString()}`
                            : undefined,
                        ]
                          .filter(Boolean)
                          .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <section className={styles.pool} data-testid={testIds.topology.actions}>
        <div className={styles.head}>
          <Text element="h5">Active incident actions</Text>
        </div>
        {actions.length === 0 ? (
          <Text color="secondary" variant="bodySmall">
            None: routing is as the inventory declares it.
          </Text>
        ) : (
          <ul className={styles.list}>
            {actions.map((a, i) => (
              <li key={i}>
                <strong>{a.action}</strong> {a.backend ?? ''}
                {a.pool ? ` in ${a.pool}` : ''}
                {a.alert ? ` by ${a.alert}` : ''}
                {a.reason ? `: ${a.reason}` : ''}
                {a.since ? ` · ${formatSince(a.since, now)}` : ''}
                {a.status ? ` · ${a.status}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))',
    gap: theme.spacing(2),
  }),
  pool: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5),
  }),
  head: css({ display: 'flex', flexDirection: 'column', marginBottom: theme.spacing(1) }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    td: { padding: theme.spacing(0.5, 1, 0.5, 0), verticalAlign: 'middle' },
  }),
  node: css({ fontWeight: theme.typography.fontWeightMedium, whiteSpace: 'nowrap' }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
