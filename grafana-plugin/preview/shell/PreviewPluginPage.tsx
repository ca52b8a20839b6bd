// Grafana's page chrome reduced to what the plugin's pages set: title (from the plugin.json
// include that matches the URL), subtitle, info and actions.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import React from 'react';
import { useLocation } from 'react-router-dom';
import { NAV } from './nav';

export function PreviewPluginPage({ pageNav, subTitle, actions, info, children }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  const title = pageNav?.text ?? NAV.find((n) => pathname.startsWith(n.path))?.name ?? '';
  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <div>
          <h1 className={styles.title}>{title}</h1>
          {subTitle && <div className={styles.sub}>{subTitle}</div>}
          {info && (
            <div className={styles.sub}>
              {info.map((i) => `${i.label}: ${String(i.value)}`).join(' · ')}
            </div>
          )}
        </div>
        {actions && <div className={styles.actions}>{actions}</div>}
      </header>
      <div>{children}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    padding: theme.spacing(2, 3),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
  }),
  title: css({
    margin: 0,
    fontSize: theme.typography.h2.fontSize,
    fontWeight: theme.typography.h2.fontWeight,
  }),
  sub: css({ color: theme.colors.text.secondary }),
  actions: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
});
