// Entry of the preview bundle: initialises what Grafana would (backend service, plugin page
// chrome, translations, theme) and mounts the plugin's module.
import { initPluginTranslations } from '@grafana/i18n';
import { config, setBackendSrv } from '@grafana/runtime';
import { GlobalStyles, PortalContainer, ThemeContext } from '@grafana/ui';
import { setPluginPage } from 'grafana-runtime-internal/PluginPage';
import React from 'react';
import { createRoot } from 'react-dom/client';
import pluginJson from '../../src/plugin.json';
import { plugin } from '../../src/module';
import { LocationServiceRouter } from './LocationServiceRouter';
import { PreviewBackendSrv } from './PreviewBackendSrv';
import { PreviewPluginPage } from './PreviewPluginPage';
import { Shell } from './Shell';

async function start(): Promise<void> {
  setBackendSrv(new PreviewBackendSrv());
  setPluginPage(PreviewPluginPage);
  await initPluginTranslations(pluginJson.id);
  const root = createRoot(document.getElementById('root') as HTMLElement);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <LocationServiceRouter>
        <Shell plugin={plugin} />
      </LocationServiceRouter>
      <PortalContainer />
    </ThemeContext.Provider>,
  );
}

void start();
