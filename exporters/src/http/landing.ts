// The landing page at `/`: what this exporter is, its collectors and their state.
import type { CollectorStatus } from '../core/scrape';

export interface LandingInfo {
  readonly title: string;
  readonly version: string;
  readonly node?: string;
  readonly telemetryPath: string;
  readonly collectors: readonly {
    name: string;
    enabled: boolean;
    reason: string;
    help: string;
    details: string[];
  }[];
  readonly statuses: readonly CollectorStatus[];
  readonly routes: readonly { path: string; help?: string }[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function state(s: CollectorStatus | undefined): string {
  if (!s || s.success === undefined) return 'not scraped yet';
  if (s.success) return 'up';
  return `down: ${s.lastError ?? 'unknown error'}`;
}

export function renderLanding(info: LandingInfo): string {
  const status = new Map(info.statuses.map((s) => [s.name, s]));
  const rows = info.collectors
    .map((c) => {
      const s = status.get(c.name);
      const details = c.details.map((d) => `<div><small>${esc(d)}</small></div>`).join('');
      return `<tr><td><code>${esc(c.name)}</code></td><td>${c.enabled ? 'enabled' : 'disabled'}<br><small>${esc(c.reason)}</small></td><td>${esc(c.enabled ? state(s) : '-')}</td><td>${s?.lastDurationSeconds !== undefined ? s.lastDurationSeconds.toFixed(3) + ' s' : '-'}</td><td>${esc(c.help)}${details}</td></tr>`;
    })
    .join('\n');
  const sources = info.statuses
    .filter((s) => s.kind === 'source')
    .map(
      (s) =>
        `<tr><td><code>${esc(s.name)}</code></td><td>source</td><td>${esc(state(s))}</td><td>${s.lastDurationSeconds?.toFixed(3) ?? '-'}</td><td></td></tr>`,
    )
    .join('\n');
  const links = [
    { path: info.telemetryPath, help: 'Metrics' },
    { path: '/-/healthy', help: 'Liveness' },
    { path: '/-/ready', help: 'Readiness' },
    ...info.routes,
  ]
    .map((r) => `<li><a href="${esc(r.path)}">${esc(r.path)}</a> ${esc(r.help ?? '')}</li>`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}</style>
</head><body>
<h1>${esc(info.title)}</h1>
<p>version ${esc(info.version)}${info.node ? ` · node <code>${esc(info.node)}</code>` : ''}</p>
<ul>${links}</ul>
<h2>Collectors</h2>
<table><tr><th>name</th><th>enabled</th><th>last scrape</th><th>duration</th><th>about</th></tr>
${rows}
${sources}
</table>
</body></html>
`;
}
