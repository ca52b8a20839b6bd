/**
 * @jest-environment node
 */
// Every expression the pages send is valid PromQL: each goes into a rules file that the real
// `promtool check rules` parses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  e2eMeanQuery,
  escapeLabel,
  hopMeanQuery,
  hopQuantileQuery,
  nodeQueries,
  nodeSeriesQueries,
  QUANTILES,
  SLO_QUERIES,
} from './queries';

const range = '900s';
const all: Array<[string, string]> = [
  ...QUANTILES.map((q) => [`quantile ${q}`, hopQuantileQuery(q, range)] as [string, string]),
  ['mean', hopMeanQuery(range)],
  ['e2e', e2eMeanQuery(range)],
  ...Object.entries(SLO_QUERIES),
  ...Object.entries(nodeQueries('60s')),
  ...nodeSeriesQueries('NODE-"03', ['cache', 'ingress', 'gateway', 'gpu-core'], '60s').map(
    (d) => [d.title, d.expr] as [string, string],
  ),
];

describe('PromQL the plugin sends', () => {
  it('all parses with promtool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okome-plugin-promql-'));
    const file = join(dir, 'queries.rules.yml');
    const rules = all
      .map(
        ([, expr], i) =>
          `      - record: okome_plugin_query_${i}\n        expr: ${JSON.stringify(expr)}`,
      )
      .join('\n');
    writeFileSync(file, `groups:\n  - name: okome-slo-app\n    rules:\n${rules}\n`);
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${all.length} rules found`);
  });

  it('escapes label values', () => {
    expect(escapeLabel('a"b\\c')).toBe('a\\"b\\\\c');
  });
});
