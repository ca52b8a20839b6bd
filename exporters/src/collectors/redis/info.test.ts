import { MetricSink } from './exposition';
import { extractInfoMetrics, parseCommandStats, parseKeyspace, parseLatencyStats } from './info';

describe('INFO parsers (inline strings, as redis_exporter info_test.go)', () => {
  it.each([
    ['db0', 'keys=100,expires=50,avg_ttl=5000', { keys: 100, expires: 50, avgTtl: 5 }],
    [
      'db1',
      'keys=1,expires=0,avg_ttl=0,cached_keys=0',
      { keys: 1, expires: 0, avgTtl: 0, cachedKeys: 0 },
    ],
    ['db2', 'keys=7,expires=1', { keys: 7, expires: 1 }],
  ])('keyspace %s:%s', (key, value, want) => {
    expect(parseKeyspace(key, value)).toEqual(want);
  });

  it.each([
    ['not-db', 'keys=1,expires=0'],
    ['db0', 'keys=1'],
    ['db0', 'keys=x,expires=0'],
    ['db0', 'keys=1,expires=0,avg_ttl=bad'],
  ])('rejects malformed keyspace %s:%s', (key, value) => {
    expect(parseKeyspace(key, value)).toBeUndefined();
  });

  it('parses commandstats before and after Redis 6.2', () => {
    expect(parseCommandStats('cmdstat_get', 'calls=21,usec=175,usec_per_call=8.33')).toEqual({
      cmd: 'get',
      calls: 21,
      usec: 175,
    });
    expect(
      parseCommandStats(
        'cmdstat_config|get',
        'calls=1,usec=191,usec_per_call=191.00,rejected_calls=2,failed_calls=3',
      ),
    ).toEqual({ cmd: 'config|get', calls: 1, usec: 191, rejectedCalls: 2, failedCalls: 3 });
    expect(parseCommandStats('cmdstat_get', 'calls=x,usec=1,usec_per_call=1')).toBeUndefined();
  });

  it('parses latencystats percentiles', () => {
    const r = parseLatencyStats('latency_percentiles_usec_set', 'p50=3.007,p99=7.007,p99.9=8.031');
    expect(r?.cmd).toBe('set');
    expect([...r!.percentiles]).toEqual([
      [50, 3.007],
      [99, 7.007],
      [99.9, 8.031],
    ]);
  });
});

const INFO = [
  '# Server',
  'redis_version:7.0.15',
  'redis_mode:standalone',
  'uptime_in_seconds:100',
  'hz:10',
  '# Stats',
  'keyspace_hits:47',
  'keyspace_misses:1',
  'expired_time_cap_reached_count:0',
  'latest_fork_usec:2500',
  '# Persistence',
  'rdb_last_bgsave_status:ok',
  'aof_last_write_status:err',
  '# Replication',
  'role:master',
  'slave0:ip=10.0.0.2,port=6380,state=online,offset=99,lag=1',
  '# Commandstats',
  'cmdstat_set:calls=51,usec=186,usec_per_call=3.65,rejected_calls=0,failed_calls=0',
  '# Errorstats',
  'errorstat_ERR:count=2',
  '# Latencystats',
  'latency_percentiles_usec_set:p50=3.007,p99=7.007,p99.9=8.031',
  '# Keyspace',
  'db0:keys=51,expires=1,avg_ttl=991698',
].join('\r\n');

describe('extractInfoMetrics', () => {
  const sink = new MetricSink('redis');
  const role = extractInfoMetrics(sink, INFO, { dbCount: 2, nowSeconds: 1000 });
  const text = sink.render();

  it('returns the role and keeps redis_exporter names, types and quirks', () => {
    expect(role).toBe('master');
    expect(text).toContain(
      '# TYPE redis_keyspace_hits_total counter\nredis_keyspace_hits_total 47\n',
    );
    // v1.45 exports this one as a gauge; the Debian anchor decides.
    expect(text).toContain('# TYPE redis_expired_time_cap_reached_total gauge');
    expect(text).toContain('redis_latest_fork_seconds 0.0025');
    expect(text).toContain('redis_rdb_last_bgsave_status 1');
    expect(text).toContain('redis_aof_last_write_status 0');
    expect(text).toContain('redis_start_time_seconds 900');
    expect(text).toContain('redis_hz 10');
  });

  it('emits per-db keyspace with zeros for empty databases and avg TTL in seconds', () => {
    expect(text).toContain('redis_db_keys{db="db0"} 51');
    expect(text).toContain('redis_db_keys{db="db1"} 0');
    expect(text).toContain('redis_db_avg_ttl_seconds{db="db0"} 991.698');
    expect(text).not.toContain('redis_db_avg_ttl_seconds{db="db1"}');
  });

  it('builds the latency summary with quantile="50"/"99"/"99.9" and commandstats sum/count', () => {
    expect(text).toContain('# TYPE redis_latency_percentiles_usec summary');
    expect(text).toContain('redis_latency_percentiles_usec{cmd="set",quantile="99.9"} 8.031');
    expect(text).toContain('redis_latency_percentiles_usec_sum{cmd="set"} 186');
    expect(text).toContain('redis_latency_percentiles_usec_count{cmd="set"} 51');
    expect(text).toContain('redis_commands_duration_seconds_total{cmd="set"} 0.000186');
    expect(text).toContain('redis_errors_total{err="ERR"} 2');
  });

  it('labels connected replicas', () => {
    expect(text).toContain(
      'redis_connected_slave_offset_bytes{slave_ip="10.0.0.2",slave_port="6380",slave_state="online"} 99',
    );
    expect(text).toContain(
      'redis_connected_slave_lag_seconds{slave_ip="10.0.0.2",slave_port="6380",slave_state="online"} 1',
    );
  });
});
