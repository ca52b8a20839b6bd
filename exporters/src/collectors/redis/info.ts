// INFO ALL → metrics, following redis_exporter's info.go field by field: the mapped fields of the
// tables in metric-map.ts, keyspace per db, commandstats, latencystats (a summary whose quantile
// label is "50"/"99"/"99.9", a redis_exporter quirk), errorstats, replication, server extras.
import type { MetricSink } from './exposition';
import { HELP, INFO_COUNTERS, INFO_GAUGES } from './metric-map';

const RE_MASTER_HOST = /^master(_[0-9]+)?_host/;
const RE_MASTER_PORT = /^master(_[0-9]+)?_port/;
const RE_MASTER_LINK_STATUS = /^master(_[0-9]+)?_link_status/;
const RE_MASTER_DIRECT =
  /^(master(_[0-9]+)?_(last_io_seconds_ago|sync_in_progress)|slave_repl_offset)/;
const RE_SLAVE = /^slave\d+/;
const RE_IO_THREAD = /^used_active_time_io_thread_([0-9]+)$/;

/** Parses the whole INFO text into field → value (section headers dropped). */
export function parseInfo(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of info.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.length < 2) continue;
    const i = line.indexOf(':');
    if (i < 0) continue;
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

function kvPairs(value: string): Map<string, string> {
  const m = new Map<string, string>();
  for (let a = 0; a <= value.length;) {
    let b = value.indexOf(',', a);
    if (b < 0) b = value.length;
    const i = value.indexOf('=', a);
    if (i > a && i < b) m.set(value.slice(a, i), value.slice(i + 1, b));
    a = b + 1;
  }
  return m;
}

export interface KeyspaceStats {
  keys: number;
  expires: number;
  /** seconds, or undefined when INFO carries no avg_ttl */
  avgTtl?: number;
  cachedKeys?: number;
}

/** `db0:keys=1,expires=0,avg_ttl=0[,cached_keys=0]` → stats; undefined when malformed. */
export function parseKeyspace(key: string, value: string): KeyspaceStats | undefined {
  if (!key.startsWith('db')) return undefined;
  const parts = value.split(',').map((p) => p.split('='));
  if (parts.length < 2) return undefined;
  const num = (i: number): number | undefined => {
    const p = parts[i];
    if (!p || p.length !== 2 || p[1] === '' || Number.isNaN(Number(p[1]))) return undefined;
    return Number(p[1]);
  };
  const keys = num(0);
  const expires = num(1);
  if (keys === undefined || expires === undefined) return undefined;
  const stats: KeyspaceStats = { keys, expires };
  if (parts.length > 2) {
    const ttl = num(2);
    if (ttl === undefined) return undefined;
    stats.avgTtl = ttl / 1000;
  }
  if (parts.length > 3) {
    const cached = num(3);
    if (cached === undefined) return undefined;
    stats.cachedKeys = cached;
  }
  return stats;
}

export interface CommandStats {
  cmd: string;
  calls: number;
  usec: number;
  rejectedCalls?: number;
  failedCalls?: number;
}

/** `cmdstat_get:calls=21,usec=175,usec_per_call=8.33[,rejected_calls=0,failed_calls=0]` */
export function parseCommandStats(key: string, value: string): CommandStats | undefined {
  if (!key.startsWith('cmdstat_')) return undefined;
  const kv = kvPairs(value);
  const calls = Number(kv.get('calls'));
  const usec = Number(kv.get('usec'));
  if (!kv.has('calls') || !kv.has('usec') || Number.isNaN(calls) || Number.isNaN(usec))
    return undefined;
  const s: CommandStats = { cmd: key.slice('cmdstat_'.length), calls, usec };
  if (kv.has('rejected_calls') && kv.has('failed_calls')) {
    s.rejectedCalls = Number(kv.get('rejected_calls'));
    s.failedCalls = Number(kv.get('failed_calls'));
  }
  return s;
}

/** `latency_percentiles_usec_get:p50=0.001,p99=1.003,p99.9=3.007` → cmd + percentile map */
export function parseLatencyStats(
  key: string,
  value: string,
): { cmd: string; percentiles: Map<number, number> } | undefined {
  const prefix = 'latency_percentiles_usec_';
  if (!key.startsWith(prefix)) return undefined;
  const percentiles = new Map<number, number>();
  for (let a = 0; a <= value.length;) {
    let b = value.indexOf(',', a);
    if (b < 0) b = value.length;
    const eq = value.indexOf('=', a);
    if (eq <= a || eq >= b) return undefined; // `pNN=v` needs a name and an `=`
    const next = value.indexOf('=', eq + 1);
    const pct = Number(value.slice(a + 1, eq));
    const val = Number(value.slice(eq + 1, next > eq && next < b ? next : b));
    if (Number.isNaN(pct) || Number.isNaN(val)) return undefined;
    percentiles.set(pct, val);
    a = b + 1;
  }
  return { cmd: key.slice(prefix.length), percentiles };
}

/** The numeric value of a mapped INFO field; ok/true → 1, err/fail/false → 0. */
export function infoValue(v: string): number | undefined {
  if (v === 'ok' || v === 'true') return 1;
  if (v === 'err' || v === 'fail' || v === 'false') return 0;
  const n = Number(v);
  // Number('') and Number(' ') are 0: only then is the (allocating) trim needed.
  if (n === 0 && v.trim() === '') return undefined;
  return Number.isNaN(n) ? undefined : n;
}

function includeField(key: string): boolean {
  return (
    key.startsWith('db') ||
    key.startsWith('cmdstat_') ||
    key.startsWith('cluster_') ||
    RE_IO_THREAD.test(key) ||
    key in INFO_GAUGES ||
    key in INFO_COUNTERS
  );
}

/** What an INFO field becomes, decided once per field name (see `mappingOf`). */
interface Mapping {
  /** passes includeField (the generic INFO walk exports it) */
  include: boolean;
  name: string;
  counter: boolean;
  /** latest_fork_usec is exported in seconds: divided by 1e6 */
  divisor: number;
  /** used_active_time_io_thread_N: the thread label */
  thread?: string;
}

const mappings = new Map<string, Mapping>();
/** INFO has ~250 field names per Redis version; the bound keeps odd servers from growing it. */
const MAX_MAPPINGS = 5_000;

function computeMapping(key: string): Mapping {
  const include = includeField(key);
  const io = RE_IO_THREAD.exec(key);
  if (io)
    return {
      include,
      name: 'active_time_io_thread_seconds_total',
      counter: true,
      divisor: 1,
      thread: io[1]!,
    };
  const sanitized = key.replace(/[^a-zA-Z0-9_]/g, '_');
  const name = INFO_GAUGES[sanitized] ?? INFO_COUNTERS[sanitized] ?? sanitized;
  const counter = INFO_COUNTERS[sanitized] !== undefined;
  if (name === 'latest_fork_usec')
    return { include, name: 'latest_fork_seconds', counter, divisor: 1e6 };
  return { include, name, counter, divisor: 1 };
}

/** The mapping of an INFO field name; a scrape walks ~250 fields, the same every time. */
function mappingOf(key: string): Mapping {
  let m = mappings.get(key);
  if (m === undefined) {
    m = computeMapping(key);
    if (mappings.size < MAX_MAPPINGS) mappings.set(key, m);
  }
  return m;
}

function emitMapping(sink: MetricSink, m: Mapping, raw: string): void {
  if (m.thread !== undefined) {
    const v = Number(raw);
    if (!Number.isNaN(v)) sink.counter(m.name, v, { thread: m.thread });
    return;
  }
  const value = infoValue(raw);
  if (value === undefined) return;
  const v = m.divisor === 1 ? value : value / m.divisor;
  if (m.counter) sink.counter(m.name, v);
  else sink.gauge(m.name, v);
}

/** Emits one mapped INFO (or CLUSTER INFO) field. */
export function emitMappedField(sink: MetricSink, key: string, raw: string): void {
  emitMapping(sink, mappingOf(key), raw);
}

/** Emits the field when the generic INFO walk exports it (includeField); also INFO MODULES. */
export function emitIncluded(sink: MetricSink, key: string, raw: string): void {
  const m = mappingOf(key);
  if (m.include) emitMapping(sink, m, raw);
}

export interface InfoOptions {
  dbCount: number;
  /** redis_exporter's --include-metrics-for-empty-databases (default true). */
  inclEmptyDatabases?: boolean;
  nowSeconds?: number;
  /**
   * Filled while walking Commandstats: usec per command, subcommands (`config|get`) added to
   * their command too, as usecByCommand(info) computes it (the latency histogram's _sum).
   */
  usecByCommand?: Map<string, number>;
}

/**
 * A line of INFO: `# Section` (group 1) or `key:value` (groups 2, 3), surrounding blanks and the
 * \r left out. Lines of neither shape (blank, or without a colon) do not match.
 */
const INFO_LINE = /^[ \t]*(?:# (\S[^\r\n]*?)|([^\s:][^\r\n:]*):([^\r\n]*?))[ \t\r]*$/gm;

/** INFO fields read after the walk (redis_instance_info, redis_slave_info). */
const KEPT_FIELDS = new Set([
  'role',
  'redis_version',
  'redis_build_id',
  'redis_mode',
  'os',
  'maxmemory_policy',
  'tcp_port',
  'run_id',
  'process_id',
  'master_host',
  'master_port',
  'slave_read_only',
]);

/** Emits every metric INFO ALL gives; returns the instance role (master / slave). */
export function extractInfoMetrics(sink: MetricSink, info: string, opts: InfoOptions): string {
  const values = new Map<string, string>();
  const handledDbs = new Set<string>();
  const cmdCount = new Map<string, number>();
  const cmdSum = new Map<string, number>();
  const cmdLatency = new Map<string, Map<number, number>>();
  let section = '';
  let masterHost = '';
  let masterPort = '';

  // One regex over the text finds the section headers and `key:value` fields (INFO ends lines
  // with \r\n); the matching runs in native code, which without an optimizing compiler
  // (heap.ts) is several times faster than a character loop. This runs on every scrape.
  INFO_LINE.lastIndex = 0;
  for (let m = INFO_LINE.exec(info); m !== null; m = INFO_LINE.exec(info)) {
    if (m[1] !== undefined) {
      section = m[1];
      continue;
    }
    const key = m[2]!;
    const value = m[3]!;
    if (KEPT_FIELDS.has(key)) values.set(key, value);
    if (key.charCodeAt(0) === 109 /* m */) {
      if (RE_MASTER_HOST.test(key)) masterHost = value;
      if (RE_MASTER_PORT.test(key)) masterPort = value;
    }

    switch (section) {
      case 'Replication':
        if (handleReplication(sink, masterHost, masterPort, key, value)) continue;
        break;
      case 'Server':
        handleServer(sink, key, value, opts.nowSeconds ?? Date.now() / 1000);
        break;
      case 'Commandstats': {
        const s = parseCommandStats(key, value);
        if (s) {
          const l = { cmd: s.cmd };
          sink.counter('commands_total', s.calls, l, HELP.commands_total);
          sink.counter(
            'commands_duration_seconds_total',
            s.usec / 1e6,
            l,
            HELP.commands_duration_seconds_total,
          );
          if (s.rejectedCalls !== undefined && s.failedCalls !== undefined) {
            sink.counter(
              'commands_rejected_calls_total',
              s.rejectedCalls,
              l,
              HELP.commands_rejected_calls_total,
            );
            sink.counter(
              'commands_failed_calls_total',
              s.failedCalls,
              l,
              HELP.commands_failed_calls_total,
            );
          }
          cmdCount.set(s.cmd, s.calls);
          cmdSum.set(s.cmd, s.usec);
          if (opts.usecByCommand && RE_USEC_CMD.test(s.cmd))
            addUsec(opts.usecByCommand, s.cmd, s.usec);
        }
        continue;
      }
      case 'Latencystats': {
        const s = parseLatencyStats(key, value);
        if (s) cmdLatency.set(s.cmd, s.percentiles);
        continue;
      }
      case 'Errorstats': {
        if (key.startsWith('errorstat_')) {
          const count = Number(kvPairs(value).get('count'));
          if (!Number.isNaN(count))
            sink.counter(
              'errors_total',
              count,
              { err: key.slice('errorstat_'.length) },
              HELP.errors_total,
            );
        }
        continue;
      }
      case 'Keyspace': {
        const ks = parseKeyspace(key, value);
        if (ks) {
          const l = { db: key };
          sink.gauge('db_keys', ks.keys, l, HELP.db_keys);
          sink.gauge('db_keys_expiring', ks.expires, l, HELP.db_keys_expiring);
          if (ks.cachedKeys !== undefined)
            sink.gauge('db_keys_cached', ks.cachedKeys, l, HELP.db_keys_cached);
          if (ks.avgTtl !== undefined)
            sink.gauge('db_avg_ttl_seconds', ks.avgTtl, l, HELP.db_avg_ttl_seconds);
          handledDbs.add(key);
          continue;
        }
        break;
      }
    }
    emitIncluded(sink, key, value);
  }

  // The summary needs count and sum from Commandstats next to the percentiles.
  for (const [cmd, percentiles] of cmdLatency) {
    const count = cmdCount.get(cmd);
    const sum = cmdSum.get(cmd);
    if (count !== undefined && sum !== undefined)
      sink.summary(
        'latency_percentiles_usec',
        { cmd },
        count,
        sum,
        percentiles,
        HELP.latency_percentiles_usec,
      );
  }

  if (opts.inclEmptyDatabases ?? true) {
    for (let db = 0; db < opts.dbCount; db++) {
      const name = `db${db}`;
      if (handledDbs.has(name)) continue;
      sink.gauge('db_keys', 0, { db: name }, HELP.db_keys);
      sink.gauge('db_keys_expiring', 0, { db: name }, HELP.db_keys_expiring);
    }
  }

  const role = values.get('role') ?? '';
  const v = (k: string): string => values.get(k) ?? '';
  sink.gauge(
    'instance_info',
    1,
    {
      role,
      redis_version: v('redis_version'),
      redis_build_id: v('redis_build_id'),
      redis_mode: v('redis_mode'),
      os: v('os'),
      maxmemory_policy: v('maxmemory_policy'),
      tcp_port: v('tcp_port'),
      run_id: v('run_id'),
      process_id: v('process_id'),
    },
    HELP.instance_info,
  );
  if (role === 'slave') {
    sink.gauge(
      'slave_info',
      1,
      {
        master_host: v('master_host'),
        master_port: v('master_port'),
        read_only: v('slave_read_only'),
      },
      HELP.slave_info,
    );
  }
  return role;
}

function handleServer(sink: MetricSink, key: string, value: string, now: number): void {
  const n = Number(value);
  if (Number.isNaN(n)) return;
  if (key === 'uptime_in_seconds')
    sink.gauge('start_time_seconds', Math.floor(now) - n, {}, HELP.start_time_seconds);
  if (key === 'configured_hz') sink.gauge('configured_hz', n);
  if (key === 'hz') sink.gauge('hz', n);
}

function handleReplication(
  sink: MetricSink,
  masterHost: string,
  masterPort: string,
  key: string,
  value: string,
): boolean {
  const master = { master_host: masterHost, master_port: masterPort };
  if (RE_MASTER_LINK_STATUS.test(key)) {
    sink.gauge('master_link_up', value === 'up' ? 1 : 0, master, HELP.master_link_up);
    return true;
  }
  if (RE_MASTER_DIRECT.test(key)) {
    let name = key;
    if (key.endsWith('last_io_seconds_ago')) name = 'master_last_io_seconds_ago';
    else if (key.endsWith('sync_in_progress')) name = 'master_sync_in_progress';
    const n = parseInt(value, 10);
    sink.gauge(name, Number.isNaN(n) ? 0 : n, master, HELP[name]);
    return true;
  }
  if (RE_SLAVE.test(key)) {
    const kv = kvPairs(value);
    const offset = Number(kv.get('offset'));
    if (!kv.has('offset') || Number.isNaN(offset)) return false;
    const l = {
      slave_ip: kv.get('ip') ?? '',
      slave_port: kv.get('port') ?? '',
      slave_state: kv.get('state') ?? '',
    };
    sink.gauge('connected_slave_offset_bytes', offset, l, HELP.connected_slave_offset_bytes);
    if (kv.has('lag')) {
      const lag = Number(kv.get('lag'));
      if (!Number.isNaN(lag))
        sink.gauge('connected_slave_lag_seconds', lag, l, HELP.connected_slave_lag_seconds);
    }
    return true;
  }
  return false;
}

/** CLUSTER INFO (`key:value\r\n` lines): every field through the same mapping. */
export function extractClusterInfoMetrics(sink: MetricSink, clusterInfo: string): void {
  for (const line of clusterInfo.split(/\r?\n/)) {
    const parts = line.split(':');
    if (parts.length !== 2) continue;
    const [key, value] = parts as [string, string];
    emitIncluded(sink, key, value);
  }
}

/**
 * The latency histogram's _sum: usec per command from commandstats, subcommands (`config|get`) added to their command too:
 * one pass over INFO per scrape instead of one regex walk per histogram command.
 */
export function usecByCommand(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([a-zA-Z0-9|]+):.*usec=([0-9]+).*$/gm))
    addUsec(out, m[1]!, Number(m[2]));
  return out;
}

/** Command names usecByCommand's pattern takes. */
const RE_USEC_CMD = /^[a-zA-Z0-9|]+$/;

function addUsec(out: Map<string, number>, name: string, usec: number): void {
  out.set(name, (out.get(name) ?? 0) + usec);
  const bar = name.indexOf('|');
  if (bar > 0) {
    const parent = name.slice(0, bar);
    out.set(parent, (out.get(parent) ?? 0) + usec);
  }
}
