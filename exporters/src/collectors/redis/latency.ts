// LATENCY LATEST → spike gauges; LATENCY HISTOGRAM (Redis ≥ 7) → the usec histogram
// redis_commands_latencies_usec{cmd}, its _sum taken from INFO commandstats like redis_exporter.
import type { MetricSink } from './exposition';
import { usecByCommand } from './info';
import { HELP } from './metric-map';
import { RespError, type RespValue } from './resp';

export function extractLatencyLatest(sink: MetricSink, reply: RespValue): void {
  if (!Array.isArray(reply)) return;
  for (const entry of reply) {
    if (!Array.isArray(entry) || entry.length < 4) continue;
    const [event, last, duration] = entry;
    if (typeof event !== 'string' || typeof last !== 'number' || typeof duration !== 'number')
      continue;
    sink.gauge('latency_spike_last', last, { event_name: event }, HELP.latency_spike_last);
    sink.gauge(
      'latency_spike_duration_seconds',
      duration / 1e3,
      { event_name: event },
      HELP.latency_spike_duration_seconds,
    );
  }
}

/**
 * Reply shape: [cmd, ["calls", n, "histogram_usec", [bucket, count, ...]], ...]. Redis gives
 * cumulative counts keyed by the bucket's upper bound in usec (powers of two), which is exactly
 * what a Prometheus histogram wants, so they pass through unchanged.
 */
export function extractLatencyHistogram(
  sink: MetricSink,
  reply: RespValue,
  /** INFO text, or its usec per command when the INFO walk already computed it */
  info: string | ReadonlyMap<string, number>,
): void {
  if (!Array.isArray(reply) || reply instanceof RespError) return;
  const usec = typeof info === 'string' ? usecByCommand(info) : info;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const cmd = reply[i];
    const details = reply[i + 1];
    if (typeof cmd !== 'string' || !Array.isArray(details)) continue;
    let calls: number | undefined;
    let buckets: RespValue[] | undefined;
    for (let j = 0; j + 1 < details.length; j += 2) {
      if (details[j] === 'calls' && typeof details[j + 1] === 'number')
        calls = details[j + 1] as number;
      if (details[j] === 'histogram_usec' && Array.isArray(details[j + 1]))
        buckets = details[j + 1] as RespValue[];
    }
    if (calls === undefined || !buckets) continue;
    const points = new Map<number, number>();
    for (let j = 0; j + 1 < buckets.length; j += 2) {
      const le = buckets[j];
      const n = buckets[j + 1];
      if (typeof le === 'number' && typeof n === 'number') points.set(le, n);
    }
    sink.histogram(
      'commands_latencies_usec',
      { cmd },
      calls,
      usec.get(cmd) ?? 0,
      points,
      HELP.commands_latencies_usec,
    );
  }
}
