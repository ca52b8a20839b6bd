// --check-streams / --check-single-streams, as redis_exporter's stream metrics: XINFO STREAM,
// XINFO GROUPS and XINFO CONSUMERS per stream. Patterns are found with the same bounded SCAN as
// --check-keys; a key that is not a stream is skipped (logged once), never a failed scrape.
import type { MetricSink } from './exposition';
import { GLOB, scanKeys, type DbKey, type ScanLimits } from './keys';
import { HELP } from './metric-map';
import { RespError, type RespClient, type RespValue } from './resp';

export interface StreamCheckOptions extends ScanLimits {
  checkStreams: DbKey[];
  checkSingleStreams: DbKey[];
}

/** A flat `[k1, v1, k2, v2, ...]` RESP reply as a map; undefined when it is not one. */
function pairs(reply: RespValue): Map<string, RespValue> | undefined {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) return undefined;
  const m = new Map<string, RespValue>();
  for (let i = 0; i < reply.length; i += 2) m.set(String(reply[i]), reply[i + 1]!);
  return m;
}

/** The millisecond part of a stream ID (`1700000000000-3` → 1700000000000), as redis_exporter. */
export function streamIdMs(id: RespValue): number | undefined {
  if (typeof id !== 'string') return undefined;
  const ms = Number(id.split('-')[0]);
  return id === '' || Number.isNaN(ms) ? undefined : ms;
}

function num(v: RespValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** Streams to inspect, per db, in a stable order and without duplicates. */
async function streamKeys(
  c: RespClient,
  opts: StreamCheckOptions,
): Promise<{ byDb: Map<string, Set<string>>; truncated: number }> {
  const byDb = new Map<string, Set<string>>();
  const add = (db: string, key: string): void => {
    const set = byDb.get(db) ?? new Set<string>();
    set.add(key);
    byDb.set(db, set);
  };
  let truncated = 0;
  for (const k of opts.checkStreams) {
    if (!GLOB.test(k.key)) {
      add(k.db, k.key);
      continue;
    }
    await c.call('SELECT', k.db);
    const r = await scanKeys(c, k.key, opts);
    if (r.truncated) truncated++;
    for (const key of r.keys) add(k.db, key);
  }
  for (const k of opts.checkSingleStreams) add(k.db, k.key);
  return { byDb, truncated };
}

/** Emits the stream families; returns the number of SCAN walks cut short. */
export async function extractStreamMetrics(
  sink: MetricSink,
  c: RespClient,
  opts: StreamCheckOptions,
  warn: (msg: string) => void,
): Promise<number> {
  const { byDb, truncated } = await streamKeys(c, opts);
  for (const [db, keys] of byDb) {
    await c.call('SELECT', db);
    const names = [...keys];
    // Pipelined: XINFO STREAM and XINFO GROUPS for every stream in one round trip.
    const replies = await Promise.all(
      names.flatMap((k) => [c.send('XINFO', 'STREAM', k), c.send('XINFO', 'GROUPS', k)]),
    );
    const consumerCalls: Promise<void>[] = [];
    names.forEach((stream, i) => {
      const info = replies[2 * i]!;
      if (info instanceof RespError) {
        warn(`couldn't get info for stream '${stream}': ${info.message}`);
        return;
      }
      const s = pairs(info);
      if (!s) return;
      const l = { db: `db${db}`, stream };
      const gauge = (name: string, v: number | undefined, labels = l): void => {
        if (v !== undefined) sink.gauge(name, v, labels, HELP[name]);
      };
      gauge('stream_length', num(s.get('length')));
      gauge('stream_radix_tree_keys', num(s.get('radix-tree-keys')));
      gauge('stream_radix_tree_nodes', num(s.get('radix-tree-nodes')));
      gauge('stream_last_generated_id', streamIdMs(s.get('last-generated-id') ?? null));
      gauge('stream_groups', num(s.get('groups')));
      const groups = replies[2 * i + 1]!;
      if (!Array.isArray(groups)) return;
      for (const raw of groups) {
        const g = pairs(raw);
        const group = g?.get('name');
        if (!g || typeof group !== 'string') continue;
        const gl = { ...l, group };
        gauge('stream_group_consumers', num(g.get('consumers')), gl);
        gauge('stream_group_messages_pending', num(g.get('pending')), gl);
        gauge('stream_group_last_delivered_id', streamIdMs(g.get('last-delivered-id') ?? null), gl);
        // Redis 7 fields, exported under redis_exporter's newer names (absent on Redis < 7).
        gauge('stream_group_entries_read', num(g.get('entries-read')), gl);
        gauge('stream_group_lag', num(g.get('lag')), gl);
        consumerCalls.push(
          c.send('XINFO', 'CONSUMERS', stream, group).then((consumers) => {
            if (!Array.isArray(consumers)) return;
            for (const rc of consumers) {
              const m = pairs(rc);
              const consumer = m?.get('name');
              if (!m || typeof consumer !== 'string') continue;
              const cl = { ...gl, consumer };
              gauge('stream_group_consumer_messages_pending', num(m.get('pending')), cl);
              const idle = num(m.get('idle'));
              gauge(
                'stream_group_consumer_idle_seconds',
                idle === undefined ? idle : idle / 1000,
                cl,
              );
            }
          }),
        );
      }
    });
    await Promise.all(consumerCalls);
  }
  return truncated;
}
