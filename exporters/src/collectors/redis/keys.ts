// --check-keys / --check-single-keys / --count-keys / --check-key-groups, as redis_exporter's
// keys.go and key_groups.go, but bounded: every SCAN walk stops after maxScanKeys keys or at the
// scrape deadline, so a broad pattern on a big database cannot hang the scrape (their issues
// #319, #536, #891). Walks cut short show in redis_exporter_last_scrape_keys_truncated.
import type { MetricSink } from './exposition';
import { HELP } from './metric-map';
import { RespError, type RespClient, type RespValue } from './resp';

export interface DbKey {
  db: string;
  key: string;
}

/** Parses `db3=pattern,key2,...` (db defaults to 0, `db` prefix optional, URL-unescaped). */
export function parseKeyArg(arg: string, flag = '--check-keys'): DbKey[] {
  const out: DbKey[] = [];
  if (!arg) return out;
  for (const item of arg.split(',')) {
    if (item === '') continue;
    const frags = item.split('=');
    let db = '0';
    let key: string;
    if (frags.length === 1) key = frags[0]!.trim();
    else if (frags.length === 2) {
      db = frags[0]!.trim().replace(/db/g, '');
      key = frags[1]!.trim();
    } else throw new Error(`${flag}: invalid key list entry "${item}" (expected [dbN=]key)`);
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      throw new Error(`${flag}: cannot unescape "${item}"`);
    }
    if (db === '' || key === '') continue;
    const n = Number(db);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${flag}: invalid database index "${db}" in "${item}"`);
    out.push({ db: String(n), key });
  }
  return out;
}

/** A key argument with glob characters is a pattern (SCAN), otherwise a key name. */
export const GLOB = /[?*[\]^]+/;

export interface ScanLimits {
  batchSize: number;
  maxScanKeys: number;
  deadline: number;
}

export interface ScanResult {
  keys: string[];
  truncated: boolean;
}

export async function scanKeys(
  c: RespClient,
  pattern: string,
  lim: ScanLimits,
): Promise<ScanResult> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    if (keys.length >= lim.maxScanKeys || Date.now() > lim.deadline)
      return { keys: keys.slice(0, lim.maxScanKeys), truncated: true };
    const r = await c.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', lim.batchSize);
    if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1]))
      throw new Error(`invalid SCAN reply for pattern ${pattern}`);
    cursor = String(r[0]);
    for (const k of r[1]) if (typeof k === 'string') keys.push(k);
  } while (cursor !== '0');
  return { keys: keys.slice(0, lim.maxScanKeys), truncated: keys.length > lim.maxScanKeys };
}

export interface KeyCheckOptions extends ScanLimits {
  checkKeys: DbKey[];
  checkSingleKeys: DbKey[];
  countKeys: DbKey[];
  disableKeyValues?: boolean;
}

const SIZE_CMD: Record<string, string> = {
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  hash: 'HLEN',
  stream: 'XLEN',
};

/** Keys inspected per pipeline: bounds what one scrape holds in memory at a time. */
const KEY_CHUNK = 1000;

/**
 * Size, value and memory of some keys of the selected db in three pipelined round trips:
 * TYPE + MEMORY USAGE; then the size by type (GET + STRLEN for strings); then PFCOUNT only for
 * strings carrying the HyperLogLog magic, which redis_exporter reports by cardinality.
 */
async function inspectKeys(
  sink: MetricSink,
  c: RespClient,
  dbLabel: string,
  keys: string[],
  disableKeyValues = false,
): Promise<void> {
  const first = await c.batch(
    keys.flatMap((k) => [
      ['TYPE', k],
      ['MEMORY', 'USAGE', k],
    ]),
  );
  const sizeCmds: string[][] = [];
  /** per key: index of its first size reply, or -1 */
  const at: number[] = [];
  keys.forEach((key, i) => {
    const type = first[2 * i];
    const mem = first[2 * i + 1];
    if (typeof mem === 'number')
      sink.gauge('key_memory_usage_bytes', mem, { db: dbLabel, key }, HELP.key_memory_usage_bytes);
    at.push(
      type === 'string' || (typeof type === 'string' && SIZE_CMD[type]) ? sizeCmds.length : -1,
    );
    if (type === 'string') sizeCmds.push(['GET', key], ['STRLEN', key]);
    else if (typeof type === 'string' && SIZE_CMD[type]) sizeCmds.push([SIZE_CMD[type], key]);
  });
  const sizes = await c.batch(sizeCmds);
  const hll = keys.filter((_, i) => {
    const v = at[i]! >= 0 && first[2 * i] === 'string' ? sizes[at[i]!] : undefined;
    return typeof v === 'string' && v.startsWith('HYLL');
  });
  const counts = await c.batch(hll.map((k) => ['PFCOUNT', k]));
  const cardinality = new Map(hll.map((k, i) => [k, counts[i]]));
  keys.forEach((key, i) => {
    const j = at[i]!;
    if (j < 0) return;
    const l = { db: dbLabel, key };
    if (first[2 * i] !== 'string') {
      const size = sizes[j];
      if (typeof size === 'number') sink.gauge('key_size', size, l, HELP.key_size);
      return;
    }
    const val = sizes[j];
    const len = sizes[j + 1];
    const pf = cardinality.get(key);
    const size = typeof pf === 'number' ? pf : typeof len === 'number' ? len : undefined;
    if (size === undefined) return;
    sink.gauge('key_size', size, l, HELP.key_size);
    // A HyperLogLog's bytes are no value to show (redis_exporter skips them too).
    if (typeof pf === 'number' || disableKeyValues) return;
    if (typeof val !== 'string' || val === '') return;
    const n = Number(val);
    if (val.trim() !== '' && !Number.isNaN(n)) sink.gauge('key_value', n, l, HELP.key_value);
    else sink.gauge('key_value_as_string', 1, { ...l, val }, HELP.key_value_as_string);
  });
}

/** Returns the number of scans that were cut short. */
export async function extractCheckKeys(
  sink: MetricSink,
  c: RespClient,
  opts: KeyCheckOptions,
): Promise<number> {
  let truncated = 0;
  const all: DbKey[] = [...opts.checkSingleKeys];
  for (const k of opts.checkKeys) {
    if (!GLOB.test(k.key)) {
      all.push(k);
      continue;
    }
    await c.call('SELECT', k.db);
    const r = await scanKeys(c, k.key, opts);
    if (r.truncated) truncated++;
    for (const key of r.keys) all.push({ db: k.db, key });
  }
  // A key named by a pattern and as a single key is inspected (and exported) once.
  const byDb = new Map<string, Set<string>>();
  for (const k of all) {
    const set = byDb.get(k.db);
    if (set) set.add(k.key);
    else byDb.set(k.db, new Set([k.key]));
  }

  for (const [db, set] of byDb) {
    const keys = [...set];
    await c.call('SELECT', db);
    for (let i = 0; i < keys.length; i += KEY_CHUNK)
      await inspectKeys(sink, c, `db${db}`, keys.slice(i, i + KEY_CHUNK), opts.disableKeyValues);
  }

  for (const k of opts.countKeys) {
    await c.call('SELECT', k.db);
    const r = await scanKeys(c, k.key, opts);
    if (r.truncated) truncated++;
    sink.gauge('keys_count', r.keys.length, { db: `db${k.db}`, key: k.key }, HELP.keys_count);
  }
  return truncated;
}

// Lua, so SCAN + MEMORY USAGE + grouping run server-side in one round trip per batch; groups
// are Lua patterns with captures, exactly the --check-key-groups syntax of redis_exporter.
const KEY_GROUPS_LUA = `
local batch = redis.call("SCAN", ARGV[1], "COUNT", ARGV[2])
local groups = {}
for i=3,#ARGV do
  local ok, err = pcall(string.find, " ", ARGV[i])
  if not ok then error(err .. ARGV[i]) end
end
for _, key in ipairs(batch[2]) do
  local usage = 0
  local reply = redis.pcall("MEMORY", "USAGE", key)
  if type(reply) == "number" then usage = reply end
  local group = nil
  for i=3,#ARGV do
    local m = {string.find(key, ARGV[i])}
    if m[1] ~= nil then
      group = table.concat({unpack(m, 3, #m)}, "")
      break
    end
  end
  if group == nil then group = "unclassified" end
  local v = groups[group]
  if v == nil then groups[group] = {1, usage} else groups[group] = {v[1] + 1, v[2] + usage} end
end
local result = {}
for g, v in pairs(groups) do result[#result+1] = {g, v[1], v[2]} end
return {batch[1], result}`;

export interface KeyGroupOptions extends ScanLimits {
  groups: string[];
  maxDistinctGroups: number;
  dbCount: number;
}

interface GroupStat {
  group: string;
  count: number;
  memory: number;
}

/** Parses --check-key-groups: comma-separated Lua patterns (CSV, blanks dropped). */
export function parseKeyGroups(arg: string): string[] {
  return arg
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function extractKeyGroups(
  sink: MetricSink,
  c: RespClient,
  opts: KeyGroupOptions,
): Promise<number> {
  if (opts.groups.length === 0) return 0;
  const started = Date.now();
  let truncated = 0;
  for (let db = 0; db < opts.dbCount; db++) {
    const sel = await c.send('SELECT', db);
    if (sel instanceof RespError) continue;
    const stats = new Map<string, GroupStat>();
    let cursor = '0';
    let seen = 0;
    let failed = false;
    do {
      if (seen >= opts.maxScanKeys || Date.now() > opts.deadline) {
        truncated++;
        break;
      }
      const r: RespValue = await c.send(
        'EVAL',
        KEY_GROUPS_LUA,
        0,
        cursor,
        opts.batchSize,
        ...opts.groups,
      );
      if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1])) {
        failed = true;
        break;
      }
      cursor = String(r[0]);
      for (const g of r[1]) {
        if (!Array.isArray(g)) continue;
        const [name, count, mem] = g;
        if (typeof name !== 'string' || typeof count !== 'number') continue;
        const s = stats.get(name) ?? { group: name, count: 0, memory: 0 };
        s.count += count;
        s.memory += typeof mem === 'number' ? mem : 0;
        stats.set(name, s);
        seen += count;
      }
    } while (cursor !== '0');
    if (failed) continue;
    const dbLabel = `db${db}`;
    let list = [...stats.values()];
    const distinct = list.length;
    if (list.length > opts.maxDistinctGroups) {
      list.sort((a, b) =>
        a.memory !== b.memory
          ? b.memory - a.memory
          : a.count !== b.count
            ? a.count - b.count
            : a.group < b.group
              ? -1
              : 1,
      );
      const rest = list.slice(opts.maxDistinctGroups);
      list = list.slice(0, opts.maxDistinctGroups);
      list.push({
        group: 'overflow',
        count: rest.reduce((n, s) => n + s.count, 0),
        memory: rest.reduce((n, s) => n + s.memory, 0),
      });
    }
    for (const s of list) {
      const l = { db: dbLabel, key_group: s.group };
      sink.gauge('key_group_count', s.count, l, HELP.key_group_count);
      sink.gauge('key_group_memory_usage_bytes', s.memory, l, HELP.key_group_memory_usage_bytes);
    }
    sink.gauge(
      'number_of_distinct_key_groups',
      distinct,
      { db: dbLabel },
      HELP.number_of_distinct_key_groups,
    );
  }
  sink.gauge(
    'last_key_groups_scrape_duration_milliseconds',
    Date.now() - started,
    {},
    HELP.last_key_groups_scrape_duration_milliseconds,
  );
  return truncated;
}
