import { fixture, sample } from '../../test-support/fixtures';
import { MetricSink } from './exposition';
import { extractModulesMetrics, parseModuleLine } from './modules';

/** INFO MODULES text of a recording (exporters/fixtures/redis-modules/README.md). */
const info = (name: string): string =>
  fixture('redis-modules', `info-modules.${name}.recorded.txt`);

function scrape(text: string): { out: string; names: string[] } {
  const sink = new MetricSink('redis');
  const names = extractModulesMetrics(sink, text).map((m) => m.name);
  return { out: sink.render(), names };
}

describe('INFO MODULES (recorded outputs)', () => {
  it('Redis 7.0.15 + Debian RediSearch 1.2: one module line, \\r\\n endings, no module fields', () => {
    const text = info('redis7.0.15-redisearch1.2.0');
    expect(text).toContain('\r\n');
    const { out, names } = scrape(text);
    expect(names).toEqual(['ft']);
    expect(
      sample(
        out,
        'redis_module_info{name="ft",ver="10200",api="1",filters="0",usedby="[]",using="[]"}',
      ),
    ).toBe(1);
    expect(out).toContain('# TYPE redis_module_info gauge');
    expect(out).not.toContain('redis_search_');
  });

  it('redis-stack 7.4.7 + RediSearch 2.10.20: every module, search_* fields by the anchor tables', () => {
    const { out, names } = scrape(info('redis-stack7.4.7-search2.10.20'));
    expect(names).toEqual(['search', 'RedisCompat', 'bf', 'redisgears_2', 'timeseries', 'ReJSON']);
    expect(
      sample(
        out,
        'redis_module_info{name="search",ver="21020",api="1",filters="0",usedby="[]",using="[ReJSON]"}',
      ),
    ).toBe(1);
    expect(
      sample(
        out,
        'redis_module_info{name="ReJSON",ver="20809",api="1",filters="0",usedby="[search]",using="[]"}',
      ),
    ).toBe(1);
    // gauges, renamed where the anchor renames them
    expect(sample(out, 'redis_search_number_of_indexes')).toBe(2);
    expect(sample(out, 'redis_search_number_of_active_indexes_indexing')).toBe(1);
    expect(sample(out, 'redis_search_used_memory_indexes_bytes')).toBe(34217);
    expect(sample(out, 'redis_search_smallest_memory_index_bytes')).toBe(16064);
    expect(sample(out, 'redis_search_largest_memory_index_bytes')).toBe(18153);
    expect(sample(out, 'redis_search_collected_bytes')).toBe(0);
    expect(out).toContain('# TYPE redis_search_number_of_indexes gauge');
    // counters of the pre-8.0 names
    for (const c of [
      'redis_search_indexing_time_ms_total',
      'redis_search_cycles_total',
      'redis_search_run_ms_total',
      'redis_search_queries_processed_total',
    ])
      expect(out).toContain(`# TYPE ${c} counter`);
    // neither text (_human, version, ON) nor unmapped fields become series
    expect(out).not.toMatch(
      /redis_search_(version|redis_version|enableGC|fields_text|used_memory_indexes_human)/,
    );
    expect(out).not.toMatch(/^redis_redisgears/m);
  });

  it('usedby lists of several modules stay one label value ([search|graph])', () => {
    const { out, names } = scrape(info('redis-stack-graph'));
    expect(names).toEqual(['graph', 'search', 'ReJSON', 'timeseries', 'bf']);
    expect(
      sample(
        out,
        'redis_module_info{name="ReJSON",ver="20200",api="1",filters="0",usedby="[search|graph]",using="[]"}',
      ),
    ).toBe(1);
  });

  it('Redis 8.2.1: options lists with | and the search section next to the module lines', () => {
    const { out, names } = scrape(info('redis8.2.1'));
    expect(names).toEqual(['ReJSON', 'vectorset', 'search']);
    expect(out.match(/^redis_module_info\{/gm)).toHaveLength(3);
  });
});

describe('module lines, the anchor rules', () => {
  it('takes the parts by position and requires exactly seven', () => {
    expect(parseModuleLine('name=x,ver=1,api=1,filters=0,usedby=[],using=[],options=[]')).toEqual({
      name: 'x',
      ver: '1',
      api: '1',
      filters: '0',
      usedby: '[]',
      using: '[]',
    });
    // Redis < 6.2 printed no options=: six parts, not a module line for redis_exporter either
    expect(parseModuleLine('name=x,ver=1,api=1,filters=0,usedby=[],using=[]')).toBeUndefined();
    expect(parseModuleLine('name=x,ver=1')).toBeUndefined();
    // a part without '=' gives an empty value, as Go's SplitN
    expect(parseModuleLine('x,ver=1,api=1,filters=0,usedby=[],using=[],options=[]')?.name).toBe('');
  });

  it('skips lines that do not split on ":" into two parts, and empty input', () => {
    const { out } = scrape(
      '# Modules\r\nsearch_number_of_indexes:3\r\nsearch_gc_bytes_collected:1:2\r\nnot a field\r\n',
    );
    expect(sample(out, 'redis_search_number_of_indexes')).toBe(3);
    expect(out).not.toContain('gc_collected');
    expect(scrape('').out).toBe('');
  });
});
