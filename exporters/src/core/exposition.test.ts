import { gunzipSync } from 'node:zlib';
import {
  duplicateFamilies,
  gzipExposition,
  mergeExpositions,
  toOpenMetrics,
  wantsOpenMetrics,
} from './exposition';

describe('mergeExpositions', () => {
  it('keeps the first family of a name and drops a later one with its samples', () => {
    const a =
      '# HELP x_total first\n# TYPE x_total counter\nx_total 1\n\n# HELP y y\n# TYPE y gauge\ny 2\n';
    const b =
      '# HELP x_total second\n# TYPE x_total counter\nx_total{a="1"} 5\n# HELP z z\n# TYPE z gauge\nz 3\n';
    const { text, duplicates } = mergeExpositions([
      { source: 'prom', text: a },
      { source: 'otel', text: b },
    ]);
    expect(text).toBe(
      '# HELP x_total first\n# TYPE x_total counter\nx_total 1\n# HELP y y\n# TYPE y gauge\ny 2\n# HELP z z\n# TYPE z gauge\nz 3\n',
    );
    expect(duplicates).toEqual(['x_total (otel)']);
    expect(duplicateFamilies(text)).toEqual([]);
  });

  it('keeps UNIT lines with their family and drops EOF markers', () => {
    const otel =
      '# HELP t_seconds ttft\n# UNIT t_seconds s\n# TYPE t_seconds histogram\nt_seconds_count 1\n# EOF\n';
    expect(mergeExpositions([{ source: 'otel', text: otel }]).text).toBe(
      '# HELP t_seconds ttft\n# UNIT t_seconds s\n# TYPE t_seconds histogram\nt_seconds_count 1\n',
    );
  });
});

describe('mergeExpositions, texts as sources write them', () => {
  it('keeps free comments, adds the missing final newline and drops a duplicate in the middle', () => {
    const a = '# HELP a a\n# TYPE a gauge\na 1';
    const b =
      '# a free comment\n# HELP b b\n# TYPE b gauge\nb 2\n# HELP a again\n# TYPE a gauge\na 9\n\n# HELP c c\n# TYPE c counter\nc 3\n# EOF\n';
    const { text, duplicates } = mergeExpositions([
      { source: 'one', text: a },
      { source: 'two', text: b },
      { source: 'empty', text: '' },
    ]);
    expect(text).toBe(
      '# HELP a a\n# TYPE a gauge\na 1\n# a free comment\n# HELP b b\n# TYPE b gauge\nb 2\n# HELP c c\n# TYPE c counter\nc 3\n',
    );
    expect(duplicates).toEqual(['a (two)']);
  });

  it('returns an empty text for empty parts', () => {
    expect(mergeExpositions([{ source: 'x', text: '' }]).text).toBe('');
  });
});

describe('toOpenMetrics', () => {
  it('adds _total only to the samples of the counter family they follow', () => {
    const text =
      '# free comment\n# HELP g g\n# TYPE g gauge\ng 1\n# HELP c c\n# TYPE c counter\nc{a="1"} 2\nc 3\n# HELP cx cx\n# TYPE cx gauge\ncx 4';
    expect(toOpenMetrics(text)).toBe(
      '# HELP g g\n# TYPE g gauge\ng 1\n# HELP c c\n# TYPE c counter\nc_total{a="1"} 2\nc_total 3\n# HELP cx cx\n# TYPE cx gauge\ncx 4\n# EOF\n',
    );
  });

  it('names counter families without _total, drops UNIT, maps untyped and ends with EOF', () => {
    const text =
      '# HELP r_total say "hi"\n# TYPE r_total counter\nr_total{m="a"} 3\n# HELP c count\n# TYPE c counter\nc 1\n# HELP t_seconds t\n# UNIT t_seconds s\n# TYPE t_seconds histogram\nt_seconds_count 1\n# HELP u u\n# TYPE u untyped\nu 1\n';
    expect(toOpenMetrics(text)).toBe(
      [
        '# HELP r say \\"hi\\"',
        '# TYPE r counter',
        'r_total{m="a"} 3',
        '# HELP c count',
        '# TYPE c counter',
        'c_total 1',
        '# HELP t_seconds t',
        '# TYPE t_seconds histogram',
        't_seconds_count 1',
        '# HELP u u',
        '# TYPE u unknown',
        'u 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});

describe('wantsOpenMetrics', () => {
  it('follows the Accept header Prometheus sends', () => {
    expect(
      wantsOpenMetrics(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe(true);
    expect(
      wantsOpenMetrics('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5'),
    ).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
    expect(wantsOpenMetrics('*/*')).toBe(false);
  });
});

describe('gzipExposition', () => {
  it('compresses small bodies (inline) and large ones (thread pool) to the same bytes back', async () => {
    for (const lines of [300, 20_000]) {
      const text = Array.from({ length: lines }, (_, i) => `m{i="${i}"} ${i}\n`).join('');
      const gz = await gzipExposition(Buffer.from(text));
      expect(gz.length).toBeLessThan(text.length / 2);
      expect(gunzipSync(gz).toString()).toBe(text);
    }
  });
});
