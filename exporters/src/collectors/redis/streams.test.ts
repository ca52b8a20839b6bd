import { RedisExporter } from './exporter';
import { redisOptionsFromFlags } from './options';
import { RespClient } from './resp';
import { streamIdMs } from './streams';
import { startRedis, type RedisServer } from './test-support';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('--check-streams / --check-single-streams against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
    const c = await RespClient.connect({ host: redis.host, port: redis.port });
    try {
      for (let i = 1; i <= 3; i++) await c.call('XADD', 'orders', `1700000000${i}00-0`, 'n', i);
      await c.call('XGROUP', 'CREATE', 'orders', 'billing', '0');
      await c.call(
        'XREADGROUP',
        'GROUP',
        'billing',
        'worker-1',
        'COUNT',
        2,
        'STREAMS',
        'orders',
        '>',
      );
      await c.call('XGROUP', 'CREATE', 'orders', 'audit', '$');
      await c.call('XADD', 'other-stream', '5-1', 'a', 1);
      await c.call('SET', 'orders-not-a-stream', 'x');
      await c.call('SELECT', 2);
      await c.call('XADD', 'events', '7-0', 'a', 1);
    } finally {
      c.close();
    }
  });
  afterAll(() => redis.stop());

  it('exports streams, groups and consumers with redis_exporter names and labels', async () => {
    const o = redisOptionsFromFlags({
      'redis.addr': redis.url,
      'check-streams': 'orders*',
      'check-single-streams': 'db2=events,orders',
    });
    const text = await new RedisExporter(o).collect();
    const s = 'db="db0",stream="orders"';
    expect(value(text, 'redis_up')).toBe(1);
    expect(value(text, `redis_stream_length{${s}}`)).toBe(3);
    expect(value(text, `redis_stream_groups{${s}}`)).toBe(2);
    expect(value(text, `redis_stream_last_generated_id{${s}}`)).toBe(1700000000300);
    expect(value(text, `redis_stream_group_consumers{${s},group="billing"}`)).toBe(1);
    expect(value(text, `redis_stream_group_consumers{${s},group="audit"}`)).toBe(0);
    expect(value(text, `redis_stream_group_messages_pending{${s},group="billing"}`)).toBe(2);
    expect(value(text, `redis_stream_group_last_delivered_id{${s},group="billing"}`)).toBe(
      1700000000200,
    );
    expect(value(text, `redis_stream_group_lag{${s},group="billing"}`)).toBe(1);
    const c = `${s},group="billing",consumer="worker-1"`;
    expect(value(text, `redis_stream_group_consumer_messages_pending{${c}}`)).toBe(2);
    expect(value(text, `redis_stream_group_consumer_idle_seconds{${c}}`)).toBeGreaterThanOrEqual(0);
    expect(value(text, 'redis_stream_length{db="db2",stream="events"}')).toBe(1);
    // Named twice (pattern and single): one series. Not a stream: skipped, scrape still up.
    expect(text.split('\n').filter((l) => l.startsWith(`redis_stream_length{${s}}`))).toHaveLength(
      1,
    );
    expect(text).not.toContain('orders-not-a-stream');
    expect(text).not.toContain('other-stream');
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('/scrape takes check-streams per request', async () => {
    const e = new RedisExporter(redisOptionsFromFlags({ 'redis.addr': '' }));
    const r = await e.scrapeHandler(
      new URLSearchParams({ target: redis.url, 'check-single-streams': 'other-stream' }),
    );
    expect(value(r.body, 'redis_stream_length{db="db0",stream="other-stream"}')).toBe(1);
    expect(r.body).not.toContain('stream="orders"');
  });

  it('stream IDs: the millisecond part', () => {
    expect(streamIdMs('1700000000123-7')).toBe(1700000000123);
    expect(streamIdMs('')).toBeUndefined();
    expect(streamIdMs(null)).toBeUndefined();
  });
});
