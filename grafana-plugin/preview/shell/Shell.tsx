// The preview's page frame: a side nav built from plugin.json, a banner saying what this is,
// and the plugin mounted the way Grafana's AppRootPage mounts an app.
import { css, cx } from '@emotion/css';
import type { AppPlugin, AppPluginMeta, GrafanaTheme2 } from '@grafana/data';
import { PluginContextProvider } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Alert, Icon, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import React, { useEffect, useState } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import pluginJson from '../../src/plugin.json';
import { NAV } from './nav';
import { PreviewPluginPage } from './PreviewPluginPage';

const BASE = `/a/${pluginJson.id}`;
const CONFIG = `/plugins/${pluginJson.id}`;

async function loadMeta(): Promise<AppPluginMeta> {
  const res = await fetch(`/api/plugins/${pluginJson.id}/settings`);
  if (!res.ok) throw new Error(`plugin settings: HTTP ${res.status}`);
  const settings = (await res.json()) as Partial<AppPluginMeta>;
  const includes = pluginJson.includes.map((i) => ({
    ...i,
    path: i.path.replace(/%PLUGIN_ID%/g, pluginJson.id),
  }));
  return {
    id: pluginJson.id,
    name: pluginJson.name,
    type: 'app',
    module: '',
    baseUrl: `public/plugins/${pluginJson.id}`,
    info: {
      ...pluginJson.info,
      author: { name: pluginJson.info.author.name },
      logos: {
        small: `/public/plugins/${pluginJson.id}/img/logo.svg`,
        large: `/public/plugins/${pluginJson.id}/img/logo.svg`,
      },
      links: [],
      screenshots: [],
      updated: '',
      version: 'preview',
    },
    includes,
    enabled: settings.enabled,
    pinned: settings.pinned,
    jsonData: settings.jsonData ?? {},
    secureJsonFields: settings.secureJsonFields ?? {},
  } as unknown as AppPluginMeta;
}

export function Shell({ plugin }: { plugin: AppPlugin }) {
  const styles = useStyles2(getStyles);
  const { pathname, search } = useLocation();
  const [meta, setMeta] = useState<AppPluginMeta>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    loadMeta().then(
      (m) => {
        plugin.meta = m;
        plugin.init(m);
        setMeta(m);
      },
      (e: Error) => setError(e.message),
    );
  }, [plugin]);

  const theme = config.theme2.isDark ? 'light' : 'dark';
  const Root = plugin.root;
  const ConfigBody = plugin.configPages?.[0]?.body;
  return (
    <div className={styles.frame}>
      <nav className={styles.nav} aria-label="OKOME SLO">
        <div className={styles.brand}>
          <img
            src={`/public/plugins/${pluginJson.id}/img/logo.svg`}
            alt=""
            width={24}
            height={24}
          />
          {pluginJson.name}
        </div>
        {NAV.map((n) => (
          <Link
            key={n.path}
            to={n.path}
            className={cx(styles.link, pathname.startsWith(n.path) && styles.active)}
          >
            {n.name}
          </Link>
        ))}
        <div className={styles.spacer} />
        <a className={styles.link} href={`${pathname}?${withTheme(search, theme)}`}>
          <Icon name="eye" /> {theme} theme
        </a>
        <div className={styles.label}>
          Preview shell for tests and demos — not Grafana. Data: real Prometheus and
          okome-controller through Grafana&apos;s proxy URLs.
        </div>
      </nav>
      <main className={styles.main}>
        {error && (
          <Alert title="The preview shell could not load the plugin settings">{error}</Alert>
        )}
        {!meta && !error && <LoadingPlaceholder text="Loading plugin…" />}
        {meta && (
          <PluginContextProvider meta={meta}>
            <Routes>
              <Route
                path={`${BASE}/*`}
                element={
                  Root ? (
                    <Root
                      meta={meta}
                      basename={BASE}
                      path={pathname}
                      query={{}}
                      onNavChanged={() => undefined}
                    />
                  ) : null
                }
              />
              <Route
                path={CONFIG}
                element={
                  <PreviewPluginPage pageNav={{ text: 'Configuration' }}>
                    {ConfigBody ? <ConfigBody plugin={plugin} query={{}} /> : null}
                  </PreviewPluginPage>
                }
              />
              <Route path="*" element={<Navigate to={`${BASE}/topology`} replace />} />
            </Routes>
          </PluginContextProvider>
        )}
      </main>
    </div>
  );
}

function withTheme(search: string, theme: string): string {
  const q = new URLSearchParams(search);
  q.set('theme', theme);
  return q.toString();
}

const getStyles = (theme: GrafanaTheme2) => ({
  frame: css({ display: 'flex', minHeight: '100vh', background: theme.colors.background.canvas }),
  nav: css({
    width: 220,
    flexShrink: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(2),
    background: theme.colors.background.primary,
    borderRight: `1px solid ${theme.colors.border.weak}`,
  }),
  brand: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    fontWeight: theme.typography.fontWeightMedium,
    marginBottom: theme.spacing(2),
  }),
  link: css({
    color: theme.colors.text.link,
    padding: theme.spacing(0.5, 0),
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
  }),
  active: css({ color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium }),
  spacer: css({ flexGrow: 1 }),
  label: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    borderTop: `1px solid ${theme.colors.border.weak}`,
    paddingTop: theme.spacing(1),
  }),
  main: css({ flexGrow: 1, minWidth: 0 }),
});
