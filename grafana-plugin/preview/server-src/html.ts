// The page the shell runs in: Grafana's boot data first (runtime's config reads it at import),
// then the bundle. The banner says plainly that this is not Grafana.
export type ThemeName = 'dark' | 'light';
/** The signed-in user's org role; ?role=Viewer shows the pages as a Viewer sees them. */
export type PreviewRole = 'Viewer' | 'Editor' | 'Admin';

const escapeScript = (json: string) => json.replace(/</g, '\\u003c');

export function bootData(
  theme: ThemeName,
  appUrl: string,
  role: PreviewRole = 'Admin',
): Record<string, unknown> {
  return {
    assets: { dark: '', light: '' },
    navTree: [],
    settings: {
      appUrl,
      appSubUrl: '',
      buildInfo: {
        version: '12.4.10',
        commit: 'okome-preview',
        edition: 'Preview shell (not Grafana)',
        env: 'production',
      },
      featureToggles: {},
      datasources: {},
      panels: {},
      apps: {},
      bootData: {},
    },
    user: {
      id: 1,
      uid: 'preview-admin',
      login: 'preview',
      name: 'Preview',
      orgId: 1,
      orgName: 'okome',
      orgRole: role,
      isSignedIn: true,
      isGrafanaAdmin: role === 'Admin',
      theme,
      timezone: 'browser',
      weekStart: 'browser',
      language: 'en-US',
      regionalFormat: 'en-US',
      permissions: {},
    },
  };
}

export function indexHtml(theme: ThemeName, appUrl: string, role: PreviewRole = 'Admin'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OKOME SLO — preview shell (tests and demos only, not Grafana)</title>
<link rel="icon" href="data:,">
<script>
window.grafanaBootData = ${escapeScript(JSON.stringify(bootData(theme, appUrl, role)))};
window.__grafana_public_path__ = '/public/';
</script>
<link rel="stylesheet" href="/public/preview/main.css">
<style>body{margin:0}</style>
</head>
<body>
<div id="root"></div>
<script src="/public/preview/main.js"></script>
</body>
</html>
`;
}
