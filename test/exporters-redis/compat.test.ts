// Drop-in compatibility with oliver006/redis_exporter: Debian's build (the anchor) and ours
// scrape the same real redis-server after a fixed workload. Every family the anchor exposes
// must exist in ours with the same type and label names; values that do not move between
// scrapes must be equal. Runs without the shared stack (OKOME_E2E_NO_STACK=1 is enough).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ANCHOR_BIN,
  compareShape,
  freePort,
  HOST,
  ours,
  redisCli,
  scrape,
  startAnchor,
  startRedis,
  startSentinel,
  type ParsedExposition,
  type Proc,
} from './support';

/** Families whose values must match exactly (config, version, keyspace, keys, key groups). */
const STATIC = [
  'redis_up',
  'redis_exporter_last_scrape_error',
  'redis_instance_info',
  'redis_db_keys',
  'redis_db_keys_expiring',
  'redis_config_maxclients',
  'redis_config_maxmemory',
  'redis_config_io_threads',
  'redis_memory_max_bytes',
  'redis_replication_backlog_bytes',
  'redis_aof_enabled',
  'redis_cluster_enabled',
  'redis_connected_slaves',
  'redis_rdb_last_save_timestamp_seconds',
  'redis_key_size',
  'redis_key_value',
  'redis_key_value_as_string',
  'redis_keys_count',
  'redis_key_group_count',
  'redis_key_group_memory_usage_bytes',
  'redis_number_of_distinct_key_groups',
  'redis_stream_length',
  'redis_stream_groups',
  'redis_stream_last_generated_id',
  'redis_stream_radix_tree_keys',
  'redis_stream_radix_tree_nodes',
  'redis_stream_group_consumers',
  'redis_stream_group_messages_pending',
  'redis_stream_group_last_delivered_id',
  'redis_stream_group_consumer_messages_pending',
  'redis_script_values',
];

// Collects numbers from Redis itself, so both exporters must report the same values. It selects
// db0 itself: the scrape connection may still have another db selected by --check-keys.
const LUA = `redis.call("SELECT", 0) return {"sessions", tostring(#redis.call("KEYS", "session:*")), "queue_len", tostring(redis.call("LLEN", "queue"))}`;

const KEY_FLAGS = {
  'check-keys': 'session:1*,queue,h,s,z,hll',
  'check-single-keys': 'counter:1,db2=other:0',
  'count-keys': 'session:*,db2=other:*',
  'check-key-groups': '^(session):,^(counter):',
  'check-streams': 'orders*',
  'check-single-streams': 'audit-log',
};

async function workload(port: number): Promise<void> {
  const cmds: string[][] = [];
  for (let i = 0; i < 50; i++) cmds.push(['SET', `session:${i}`, `v${i}`]);
  for (let i = 0; i < 5; i++) cmds.push(['SET', `counter:${i}`, String(i * 10)]);
  for (let i = 0; i < 10; i++) cmds.push(['EXPIRE', `session:${i}`, '3600']);
  cmds.push(['RPUSH', 'queue', 'a', 'b', 'c'], ['HSET', 'h', 'f1', '1', 'f2', '2']);
  cmds.push(['SADD', 's', 'a', 'b', 'c', 'd'], ['ZADD', 'z', '1', 'a', '2', 'b']);
  cmds.push(['PFADD', 'hll', 'a', 'b', 'c']);
  cmds.push(['GET', 'session:1'], ['GET', 'session:2'], ['GET', 'nope']);
  // Streams with fixed IDs: two groups, one consumer with pending entries, one empty group.
  for (let i = 1; i <= 4; i++) cmds.push(['XADD', 'orders', `17000000000${i}0-0`, 'n', String(i)]);
  cmds.push(['XGROUP', 'CREATE', 'orders', 'billing', '0']);
  cmds.push(['XREADGROUP', 'GROUP', 'billing', 'w1', 'COUNT', '3', 'STREAMS', 'orders', '>']);
  cmds.push(['XGROUP', 'CREATE', 'orders', 'audit', '$'], ['XADD', 'audit-log', '9-1', 'a', '1']);
  for (const c of cmds) await redisCli(port, ...c);
  // SELECT does not outlive a connection: fill db2 in one server-side script.
  await redisCli(
    port,
    'EVAL',
    "for i=0,4 do redis.call('SELECT', 2); redis.call('SET', 'other:'..i, 'x') end return 1",
    '0',
  );
}

function staticSeries(p: ParsedExposition): Map<string, number> {
  const out = new Map<string, number>();
  for (const [series, v] of p.samples) {
    const name = series.replace(/\{.*$/, '');
    if (STATIC.includes(name)) out.set(series, v);
  }
  return out;
}

describe(`redis_exporter compatibility (anchor: ${ANCHOR_BIN})`, () => {
  let redis: Proc;
  let anchor: Proc;
  let mine: { url: string; stop: () => Promise<void> };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okome-compat-lua-'));
    const script = join(dir, 'collect.lua');
    writeFileSync(script, LUA);
    const flags = { ...KEY_FLAGS, script };
    redis = await startRedis();
    await workload(redis.port);
    anchor = await startAnchor(
      redis.url,
      Object.entries(flags).flatMap(([k, v]) => [`-${k}`, v]),
    );
    mine = await ours({ 'redis.addr': redis.url, ...flags });
  }, 30_000);
  afterAll(async () => {
    await mine?.stop();
    await anchor?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/metrics: every anchor family exists in ours with the same type and label names', async () => {
    const [a, m] = await Promise.all([
      scrape(`${anchor.url}/metrics`),
      scrape(`${mine.url}/metrics`),
    ]);
    expect(a.status).toBe(200);
    expect(m.status).toBe(200);
    expect(a.parsed.types.size).toBeGreaterThan(100);
    expect(compareShape(a.parsed, m.parsed)).toEqual([]);
    const typeLines = m.text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(typeLines).size).toBe(typeLines.length);
  });

  it('/metrics: static values (config, version, keyspace, keys, key groups) are equal', async () => {
    const [a, m] = await Promise.all([
      scrape(`${anchor.url}/metrics`),
      scrape(`${mine.url}/metrics`),
    ]);
    const want = staticSeries(a.parsed);
    expect(want.size).toBeGreaterThan(60);
    // The streams and the script are really in the comparison, not vacuously equal.
    expect(want.get('redis_stream_length{db="db0",stream="orders"}')).toBe(4);
    expect(
      want.get('redis_stream_group_messages_pending{db="db0",group="billing",stream="orders"}'),
    ).toBe(3);
    expect(want.get('redis_script_values{key="sessions"}')).toBe(50);
    expect(Object.fromEntries(staticSeries(m.parsed))).toEqual(Object.fromEntries(want));
    // Derived from uptime at scrape time: equal up to the second the scrapes fall in.
    const start = (p: ParsedExposition): number => p.samples.get('redis_start_time_seconds') ?? NaN;
    expect(Math.abs(start(a.parsed) - start(m.parsed))).toBeLessThanOrEqual(2);
  });

  it('/scrape?target=: the same shape and values as the anchor multi-target endpoint', async () => {
    const q = `/scrape?target=${encodeURIComponent(redis.url)}`;
    const [a, m] = await Promise.all([scrape(`${anchor.url}${q}`), scrape(`${mine.url}${q}`)]);
    expect(m.status).toBe(200);
    expect(compareShape(a.parsed, m.parsed)).toEqual([]);
    expect(Object.fromEntries(staticSeries(m.parsed))).toEqual(
      Object.fromEntries(staticSeries(a.parsed)),
    );
  });

  it('/scrape without a target: 400 from both, counted in redis_target_scrape_request_errors_total', async () => {
    const [a, m] = await Promise.all([fetch(`${anchor.url}/scrape`), fetch(`${mine.url}/scrape`)]);
    expect(a.status).toBe(400);
    expect(m.status).toBe(400);
    const after = await scrape(`${mine.url}/metrics`);
    expect(after.parsed.samples.get('redis_target_scrape_request_errors_total')).toBe(1);
  });

  it('target down: redis_up 0 with HTTP 200, like the anchor', async () => {
    const dead = `redis://${HOST}:${await freePort()}`;
    const deadAnchor = await startAnchor(dead);
    const deadMine = await ours({ 'redis.addr': dead });
    try {
      const [a, m] = await Promise.all([
        scrape(`${deadAnchor.url}/metrics`),
        scrape(`${deadMine.url}/metrics`),
      ]);
      expect([a.status, m.status]).toEqual([200, 200]);
      expect(a.parsed.samples.get('redis_up')).toBe(0);
      expect(m.parsed.samples.get('redis_up')).toBe(0);
      const errSeries = (p: ParsedExposition) =>
        [...p.samples]
          .filter(([s]) => s.startsWith('redis_exporter_last_scrape_error{'))
          .map(([, v]) => v);
      expect(errSeries(m.parsed)).toEqual([1]);
      expect(compareShape(a.parsed, m.parsed)).toEqual([]);
    } finally {
      await deadMine.stop();
      await deadAnchor.stop();
    }
  });

  it('sentinel target: the same redis_sentinel_* families, labels and values as the anchor', async () => {
    const sentinel = await startSentinel(redis.url.replace('redis://', ''));
    const sAnchor = await startAnchor(sentinel.url);
    const sMine = await ours({ 'redis.addr': sentinel.url });
    try {
      const [a, m] = await Promise.all([
        scrape(`${sAnchor.url}/metrics`),
        scrape(`${sMine.url}/metrics`),
      ]);
      expect(compareShape(a.parsed, m.parsed)).toEqual([]);
      const sentinelSeries = (p: ParsedExposition) =>
        Object.fromEntries([...p.samples].filter(([k]) => k.startsWith('redis_sentinel_')));
      const want = sentinelSeries(a.parsed);
      expect(Object.keys(want).length).toBeGreaterThanOrEqual(11);
      expect(sentinelSeries(m.parsed)).toEqual(want);
    } finally {
      await sMine.stop();
      await sAnchor.stop();
      await sentinel.stop();
    }
  });
});
