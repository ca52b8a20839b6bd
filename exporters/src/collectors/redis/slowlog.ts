// SLOWLOG LEN / SLOWLOG GET 1 → length, last id and the last slow execution's duration.
import type { MetricSink } from './exposition';
import { HELP } from './metric-map';
import type { RespValue } from './resp';

export function extractSlowlog(sink: MetricSink, len: RespValue, last: RespValue): void {
  if (typeof len === 'number') sink.gauge('slowlog_length', len, {}, HELP.slowlog_length);
  if (!Array.isArray(last)) return;
  let lastId = 0;
  let lastDuration = 0;
  const entry = last[0];
  if (Array.isArray(entry) && entry.length > 0) {
    if (typeof entry[0] === 'number') lastId = entry[0];
    if (typeof entry[2] === 'number') lastDuration = entry[2] / 1e6;
  }
  sink.gauge('slowlog_last_id', lastId, {}, HELP.slowlog_last_id);
  sink.gauge(
    'last_slow_execution_duration_seconds',
    lastDuration,
    {},
    HELP.last_slow_execution_duration_seconds,
  );
}
