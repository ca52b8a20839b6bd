import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, sample } from '../../test-support/fixtures';
import { MetricSink } from './exposition';
import { RespError, RespParser, type RespValue } from './resp';
import { emitSearchIndex, parseFtInfo } from './search-indexes';

/** One RESP reply as redis-server sent it (exporters/fixtures/redis-modules/README.md). */
function recorded(name: string): RespValue {
  const bytes = readFileSync(join(FIXTURES, 'redis-modules', `${name}.recorded.resp`));
  const replies = new RespParser().feed(bytes);
  expect(replies).toHaveLength(1);
  return replies[0]!;
}

function render(reply: RespValue): string {
  const sink = new MetricSink('redis');
  emitSearchIndex(sink, parseFtInfo(reply));
  return sink.render();
}

describe('FT.INFO → redis_search_index_*', () => {
  it('reads the recorded RediSearch 1.2 reply: counts, *_mb as bytes, absent fields 0', () => {
    const out = render(recorded('ft-info.redisearch1.2.0'));
    const l = '{index_name="idx1"}';
    expect(sample(out, `redis_search_index_num_docs${l}`)).toBe(1);
    expect(sample(out, `redis_search_index_num_terms${l}`)).toBe(2);
    expect(sample(out, `redis_search_index_num_records${l}`)).toBe(2);
    expect(sample(out, `redis_search_index_inverted_size_bytes${l}`)).toBeCloseTo(
      1.1444091796875e-5 * 1048576,
      6,
    );
    expect(sample(out, `redis_search_index_avg_per_record_bytes${l}`)).toBe(6);
    expect(sample(out, `redis_search_index_avg_per_record_offset_bits${l}`)).toBe(8);
    // 1.2 has no percent_indexed / number_of_uses: Go's zero value, as the anchor
    expect(sample(out, `redis_search_index_percent_indexed${l}`)).toBe(0);
    expect(sample(out, `redis_search_index_number_of_uses_total${l}`)).toBe(0);
    expect(out).toContain('# TYPE redis_search_index_number_of_uses_total counter');
    expect(out).toContain('# TYPE redis_search_index_num_docs gauge');
    expect(out.match(/^# TYPE /gm)).toHaveLength(24);
  });

  it('the recorded FT._LIST of RediSearch 1.2 is an error reply (the step then exports nothing)', () => {
    expect(recorded('ft-list.redisearch1.2.0')).toBeInstanceOf(RespError);
  });

  it('integer replies convert like bulk strings; unknown fields and nil are ignored', () => {
    const out = render([
      'index_name',
      'idx:bicycle',
      'num_docs',
      3,
      'percent_indexed',
      '1',
      'number_of_uses',
      7,
      'attributes',
      [['identifier', '$.brand']],
      'cleaning',
      null,
    ]);
    expect(sample(out, 'redis_search_index_num_docs{index_name="idx:bicycle"}')).toBe(3);
    expect(sample(out, 'redis_search_index_percent_indexed{index_name="idx:bicycle"}')).toBe(1);
    expect(sample(out, 'redis_search_index_number_of_uses_total{index_name="idx:bicycle"}')).toBe(
      7,
    );
  });

  it.each([
    [['index_name', 'i', 'num_docs'], /odd number/],
    [['index_name', 'i', 'num_docs', '1.5'], /num_docs: cannot read "1.5"/],
    [['index_name', 'i', 'records_per_doc_avg', '-nan'], /records_per_doc_avg: cannot read "-nan"/],
    [['index_name', 'i', 'num_docs', ['1']], /num_docs/],
    ['OK', /not an array/],
  ])('a reply redigo cannot scan fails the index: %j', (reply, err) => {
    expect(() => parseFtInfo(reply as RespValue)).toThrow(err);
  });

  it('Go float forms: nan, inf, exponents', () => {
    const info = parseFtInfo([
      'records_per_doc_avg',
      'nan',
      'bytes_per_record_avg',
      '-inf',
      'inverted_sz_mb',
      '1e-3',
    ]);
    expect(info.values.get('records_per_doc_avg')).toBeNaN();
    expect(info.values.get('bytes_per_record_avg')).toBe(-Infinity);
    expect(info.values.get('inverted_sz_mb')).toBe(0.001);
    expect(info.indexName).toBe('');
  });
});
