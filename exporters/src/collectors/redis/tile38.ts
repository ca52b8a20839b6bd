// --is-tile38: Tile38's `SERVER EXT` stats, as redis_exporter's extractTile38Metrics
// (exporter/tile38.go): the reply is flat key/value pairs; a key gets a `tile38_` prefix unless it
// has one, and only keys of the INFO tables (metric-map.ts, "# Tile38") are exported, under the
// same names and always as gauges. Step not fatal: an error reply (a plain Redis has no SERVER)
// is logged by the caller and the scrape goes on, as upstream.
import type { MetricSink } from './exposition';
import { emitMappedField } from './info';
import { INFO_COUNTERS, INFO_GAUGES } from './metric-map';
import { RespError, type RespValue } from './resp';

/** The command, as upstream sends it: two arguments (`SERVER EXT` as one is unknown to Tile38). */
export const TILE38_COMMAND = ['SERVER', 'EXT'] as const;

/** Emits the mapped `tile38_*` gauges of a `SERVER EXT` reply. */
export function extractTile38Metrics(sink: MetricSink, reply: RespValue): void {
  if (!Array.isArray(reply) || reply instanceof RespError) return;
  // An odd trailing key has no value: skipped (upstream v1.45 would index past the end).
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const k = reply[i];
    const v = reply[i + 1];
    if (typeof k !== 'string' || (typeof v !== 'string' && typeof v !== 'number')) continue;
    const key = k.startsWith('tile38_') ? k : `tile38_${k}`;
    // upstream includeMetric: a tile38_ key never starts with db/cmdstat_/cluster_, so only
    // the tables decide.
    if (!(key in INFO_GAUGES) && !(key in INFO_COUNTERS)) continue;
    emitMappedField(sink, key, String(v));
  }
}
