// Every committed dashboard, read as @grafana/schema's Dashboard model: what Grafana needs to
// import it anywhere (datasource through the variable, no instance-specific uids), a grid that
// does not overlap, and panels an SRE can read (units, descriptions, thresholds).
import { HOP_BUDGET_QUERIES } from '@okome/exporters';
import { buildDashboards } from '@okome/dashboards';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import type { Dashboard, Panel } from '@grafana/schema';
import {
  isRow,
  loadDashboards,
  panelsOf,
  substitute,
  targetsOf,
  variableNames,
} from './dashboards';

const files = loadDashboards();
const GRAFANA_GLOBALS = ['__rate_interval', '__interval', '__range', '__range_s'];
const VAR = '${datasource}';

const EXPECTED = [
  'OKOME / SRE overview',
  'OKOME / Latency budget per hop',
  'OKOME / GPU arbitration',
  'OKOME / Redis edge cache',
  'OKOME / Ollama and engine throughput',
  'OKOME / SLO burn',
];

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  if (!a || !b) return false;
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Every `uid` anywhere in the JSON, with where it is. */
function uids(value: unknown, path = '$'): { path: string; uid: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => uids(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'uid' && typeof v === 'string'
        ? [{ path: `${path}.uid`, uid: v }]
        : uids(v, `${path}.${k}`),
    );
  return [];
}

test('the six dashboards of the issue are committed', () => {
  expect(files.map((f) => f.dashboard.title).sort()).toEqual([...EXPECTED].sort());
});

test('the committed JSON is what the generator builds for the OKOME inventory (npm run generate -w dashboards/generator)', () => {
  const inv = loadInventory(resolveInventoryPath('okome'));
  // Same content as the generator's (formatting is Prettier's business: npm run lint).
  const built = buildDashboards(inv).map((b) => ({
    file: b.file,
    dashboard: JSON.parse(JSON.stringify(b.dashboard)) as Dashboard,
  }));
  expect(files).toEqual(built.sort((a, b) => a.file.localeCompare(b.file)));
});

describe.each(files.map((f) => [f.file, f.dashboard] as [string, Dashboard]))('%s', (_file, d) => {
  const panels = panelsOf(d);

  test('is a Grafana 11/12 dashboard with a stable uid', () => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(d.uid).toMatch(/^okome-[a-z0-9-]+$/);
    expect(d.uid!.length).toBeLessThanOrEqual(40);
    expect(d.tags).toContain('okome');
    expect(panels.length).toBeGreaterThan(3);
  });

  test('panel ids are unique', () => {
    const ids = (d.panels ?? []).flatMap((p) => [
      p.id,
      ...(isRow(p) ? p.panels.map((c) => c.id) : []),
    ]);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('grid positions fit 24 columns and do not overlap', () => {
    const all = d.panels ?? [];
    for (const p of all) {
      const g = p.gridPos!;
      expect({ title: p.title, fits: g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24 }).toEqual({
        title: p.title,
        fits: true,
      });
    }
    const clashes = all.flatMap((a, i) =>
      all
        .slice(i + 1)
        .filter((b) => overlaps(a.gridPos, b.gridPos))
        .map((b) => `${a.title} / ${b.title}`),
    );
    expect(clashes).toEqual([]);
  });

  test('every panel and query uses Prometheus through the ${datasource} variable', () => {
    for (const p of panels) {
      expect({ panel: p.title, ds: p.datasource }).toEqual({
        panel: p.title,
        ds: { type: 'prometheus', uid: VAR },
      });
      for (const t of targetsOf(p))
        expect({ panel: p.title, ds: t.datasource }).toEqual({
          panel: p.title,
          ds: { type: 'prometheus', uid: VAR },
        });
    }
    const ds = d.templating?.list?.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  test('no uid of a particular Grafana: only the dashboard uid, ${datasource} and the built-in', () => {
    const foreign = uids(d).filter(
      (u) => u.path !== '$.uid' && u.uid !== VAR && u.uid !== '-- Grafana --',
    );
    expect(foreign).toEqual([]);
  });

  test('cluster and node come from label values; queries use only declared variables', () => {
    const vars = d.templating?.list ?? [];
    for (const name of ['cluster', 'node']) {
      const v = vars.find((x) => x.name === name);
      expect(v).toMatchObject({ type: 'query', datasource: { uid: VAR } });
      // `definition` is what Grafana shows; the typed model leaves it out.
      const { definition } = v as typeof v & { definition?: string };
      expect(definition).toMatch(new RegExp(`^label_values\\(.*, ${name}\\)$`));
    }
    const declared = new Set([...variableNames(d), ...GRAFANA_GLOBALS]);
    for (const p of panels)
      for (const t of targetsOf(p))
        for (const m of t.expr.matchAll(/\$\{?(\w+)\}?/g))
          expect({
            panel: p.title,
            variable: m[1],
            declared: declared.has(m[1] as string),
          }).toEqual({
            panel: p.title,
            variable: m[1],
            declared: true,
          });
  });

  test('every panel has a unit, a description and at least one query', () => {
    for (const p of panels) {
      const unit = p.fieldConfig?.defaults?.unit;
      expect({ panel: p.title, unit: typeof unit === 'string' && unit.length > 0 }).toEqual({
        panel: p.title,
        unit: true,
      });
      expect({ panel: p.title, described: (p.description ?? '').length >= 20 }).toEqual({
        panel: p.title,
        described: true,
      });
      expect({ panel: p.title, queries: targetsOf(p).length > 0 }).toEqual({
        panel: p.title,
        queries: true,
      });
      const refIds = targetsOf(p).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  test('annotations: drills and routing changes through the variable', () => {
    const names = (d.annotations?.list ?? []).map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Failover drills', 'Routing changes']));
    const exprs = (d.annotations?.list ?? []).map((a) => JSON.stringify(a.target ?? {}));
    expect(exprs.join(' ')).toMatch(/okome_drill_phase/);
    expect(exprs.join(' ')).toMatch(/okome_controller_actions_total/);
  });
});

test('latency budget panels carry the thresholds of the OKOME budgets', () => {
  const d = files.find((f) => f.dashboard.uid === 'okome-latency-budget')!.dashboard;
  const stat = (title: string) => panelsOf(d).find((p) => p.title === title)!;
  const red = (p: Panel) =>
    (p.fieldConfig?.defaults?.thresholds?.steps ?? []).find((s) => s.color === 'red')?.value;
  expect(red(stat('ingress added p99'))).toBe(0.005);
  expect(red(stat('cache added p99'))).toBe(0.002);
  expect(red(stat('engine first-token (CORE) p99'))).toBe(0.5);
  expect(red(stat('engine inter-token (CORE) p99'))).toBe(0.04);
});

test("latency budget queries are the exporters' HOP_BUDGET_QUERIES, scoped to the cluster", () => {
  const d = files.find((f) => f.dashboard.uid === 'okome-latency-budget')!.dashboard;
  const exprs = panelsOf(d).flatMap((p) =>
    targetsOf(p).map((t) =>
      substitute(t.expr, {
        cluster: 'X',
        node: '.*',
        rateInterval: '5m',
        interval: '5m',
        range: '1h',
      }).replace(/,cluster="X"/g, ''),
    ),
  );
  for (const q of HOP_BUDGET_QUERIES) {
    expect(exprs).toContain(q.quantile);
    expect(exprs).toContain(q.byNode);
    if (q.mean) expect(exprs).toContain(q.mean);
  }
});
