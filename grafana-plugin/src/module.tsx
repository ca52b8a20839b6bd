import { AppPlugin } from '@grafana/data';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import React, { lazy, Suspense } from 'react';
import type { AppConfigProps } from './components/AppConfig/AppConfig';
import type { AppJsonData } from './types';

const LazyApp = lazy(() => import('./components/App/App').then((m) => ({ default: m.App })));
const LazyAppConfig = lazy(() =>
  import('./components/AppConfig/AppConfig').then((m) => ({ default: m.AppConfig })),
);

function App(props: AppRootProps<AppJsonData>) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="" />}>
      <LazyApp {...props} />
    </Suspense>
  );
}

function AppConfig(props: AppConfigProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="" />}>
      <LazyAppConfig {...props} />
    </Suspense>
  );
}

export const plugin = new AppPlugin<AppJsonData>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
