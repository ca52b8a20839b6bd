// --include-search-indexes-metrics / --check-search-indexes: FT._LIST, then FT.INFO of every
// index whose name the pattern matches → redis_search_index_*{index_name}, as redis_exporter's
// extractSearchIndexesMetrics (exporter/search_indexes.go). Failures are logged, never fatal.
import type { MetricSink } from './exposition';
import { RespError, type RespClient, type RespValue } from './resp';

/** FT.INFO field → how it is read: Go int64 or float64 (the anchor's searchIndexInfo struct). */
type Kind = 'int' | 'float';

/** [metric, FT.INFO field, kind, scale]: all gauges but number_of_uses; *_mb fields → bytes. */
const MB = 1048576;
const INDEX_METRICS: readonly (readonly [string, string, Kind, number, string])[] = [
  ['num_docs', 'num_docs', 'int', 1, 'Number of documents in search index'],
  ['max_doc_id', 'max_doc_id', 'int', 1, 'Maximum document ID in search index'],
  ['num_terms', 'num_terms', 'int', 1, 'Number of distinct terms in search index'],
  ['num_records', 'num_records', 'int', 1, 'Total number of records in search index'],
  ['inverted_size_bytes', 'inverted_sz_mb', 'float', MB, 'Memory used by the inverted index'],
  [
    'total_inverted_index_blocks',
    'total_inverted_index_blocks',
    'int',
    1,
    'Total number of blocks in the inverted index',
  ],
  [
    'vector_index_size_bytes',
    'vector_index_sz_mb',
    'float',
    MB,
    'Memory used by the vector index, stores vectors associated with each document',
  ],
  [
    'offset_vectors_size_bytes',
    'offset_vectors_sz_mb',
    'float',
    MB,
    'Memory used by the offset vectors, store positional information for terms in documents',
  ],
  [
    'doc_table_size_bytes',
    'doc_table_size_mb',
    'float',
    MB,
    'Memory used by the document table, contains metadata about each document in the index',
  ],
  [
    'sortable_values_size_bytes',
    'sortable_values_size_mb',
    'float',
    MB,
    'Memory used by sortable values, used for sorting purposes',
  ],
  [
    'key_table_size_bytes',
    'key_table_size_mb',
    'float',
    MB,
    'Memory used by the key table, stores mapping between document IDs and keys',
  ],
  [
    'tag_overhead_size_bytes',
    'tag_overhead_sz_mb',
    'float',
    MB,
    'Size of the TAG index structures used for optimising performance',
  ],
  [
    'text_overhead_size_bytes',
    'text_overhead_sz_mb',
    'float',
    MB,
    'Size of the TEXT index structures used for optimising performance',
  ],
  [
    'total_index_memory_size_bytes',
    'total_index_memory_sz_mb',
    'float',
    MB,
    'Total memory consumed by all indexes in the DB',
  ],
  ['geoshapes_size_bytes', 'geoshapes_sz_mb', 'float', MB, 'Memory used by GEO-related fields'],
  [
    'avg_per_doc_records',
    'records_per_doc_avg',
    'float',
    1,
    'Average number of records (including deletions) per document',
  ],
  [
    'avg_per_record_bytes',
    'bytes_per_record_avg',
    'float',
    1,
    'Average size of each record in bytes',
  ],
  [
    'avg_per_term_offsets',
    'offsets_per_term_avg',
    'float',
    1,
    'Average number of offsets (position information) per term',
  ],
  [
    'avg_per_record_offset_bits',
    'offset_bits_per_record_avg',
    'float',
    1,
    'Average number of bits used for offsets per record',
  ],
  ['indexing', 'indexing', 'int', 1, 'Indicates whether the index is currently being generated'],
  [
    'percent_indexed',
    'percent_indexed',
    'float',
    1,
    'Percentage of the index that has been successfully generated (0-1)',
  ],
  [
    'hash_indexing_failures',
    'hash_indexing_failures',
    'int',
    1,
    'Number of failures encountered during indexing',
  ],
  ['number_of_uses_total', 'number_of_uses', 'int', 1, 'Number of times the index has been used'],
  [
    'cleaning',
    'cleaning',
    'int',
    1,
    'Index deletion flag. A value of 1 indicates index deletion is in progress',
  ],
];

const FIELDS = new Map(INDEX_METRICS.map((m) => [m[1], m[2]]));

/** Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, nothing else. */
const GO_INT = /^[+-]?\d+$/;
/** Go's strconv.ParseFloat: decimal or exponent form, inf/infinity (signed), nan (unsigned). */
const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function goFloat(s: string): number | undefined {
  if (GO_FLOAT.test(s)) return Number(s);
  const l = s.toLowerCase();
  if (/^[+-]?inf(inity)?$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  if (l === 'nan') return NaN;
  return undefined;
}

export interface SearchIndexInfo {
  indexName: string;
  /** FT.INFO field → value, for the fields the metrics read; a missing field reads as 0. */
  values: Map<string, number>;
}

/**
 * A flat FT.INFO reply → the fields the metrics use, with redigo's ScanStruct rules: an odd
 * length, a known field whose value does not convert (`-nan`, a nested array, `1.5` for an
 * integer field) fails the whole index (the error names the field); unknown fields and nil
 * values are ignored. Integer replies and bulk strings convert alike.
 */
export function parseFtInfo(reply: RespValue): SearchIndexInfo {
  if (!Array.isArray(reply)) throw new Error('FT.INFO reply is not an array');
  if (reply.length % 2 !== 0) throw new Error('FT.INFO reply has an odd number of elements');
  const info: SearchIndexInfo = { indexName: '', values: new Map() };
  for (let i = 0; i < reply.length; i += 2) {
    const key = reply[i];
    const v = reply[i + 1]!;
    if (v === null) continue;
    if (typeof key !== 'string') throw new Error(`FT.INFO key ${i} is not a string`);
    if (key === 'index_name') {
      if (typeof v !== 'string') throw new Error('FT.INFO index_name is not a string');
      info.indexName = v;
      continue;
    }
    const kind = FIELDS.get(key);
    if (!kind) continue;
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string')
      n = kind === 'int' ? (GO_INT.test(v) ? Number(v) : undefined) : goFloat(v);
    if (n === undefined) throw new Error(`FT.INFO ${key}: cannot read ${JSON.stringify(v)}`);
    info.values.set(key, n);
  }
  return info;
}

export function emitSearchIndex(sink: MetricSink, info: SearchIndexInfo): void {
  const l = { index_name: info.indexName };
  for (const [metric, field, , scale, help] of INDEX_METRICS) {
    const v = (info.values.get(field) ?? 0) * scale;
    if (metric === 'number_of_uses_total') sink.counter(`search_index_${metric}`, v, l, help);
    else sink.gauge(`search_index_${metric}`, v, l, help);
  }
}

/**
 * The whole step. As in the anchor, a failing FT._LIST (no search module, RediSearch 1.x)
 * exports nothing, a failing FT.INFO ends the step and an index whose reply does not convert is
 * skipped; `warn` gets each reason. The FT.INFO calls go out as one pipeline.
 */
export async function extractSearchIndexesMetrics(
  sink: MetricSink,
  c: RespClient,
  pattern: RegExp,
  warn: (msg: string) => void,
): Promise<void> {
  const list = await c.send('FT._LIST');
  if (list instanceof RespError) return warn(`FT._LIST: ${list.message}`);
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
    return warn('FT._LIST: reply is not a list of names');
  const names = (list as string[]).filter((n) => pattern.test(n));
  const replies = await c.batch(names.map((n) => ['FT.INFO', n]));
  for (let i = 0; i < replies.length; i++) {
    const r = replies[i]!;
    if (r instanceof RespError) return warn(`FT.INFO ${names[i]}: ${r.message}`);
    try {
      emitSearchIndex(sink, parseFtInfo(r));
    } catch (err) {
      warn(`search index ${names[i]}: ${(err as Error).message}`);
    }
  }
}
