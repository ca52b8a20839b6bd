import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisExporter } from './exporter';
import { DEFAULT_REDIS_OPTIONS, redisOptionsFromFlags } from './options';
import { RespClient } from './resp';
import { freePort, startRedis, type RedisServer } from './test-support';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('RedisExporter against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
    const c = await RespClient.connect({ host: redis.host, port: redis.port });
    try {
      for (let i = 0; i < 20; i++) await c.call('SET', `session:${i}`, `v${i}`);
      await c.call('SET', 'counter', '42');
      await c.call('RPUSH', 'queue', 'a', 'b', 'c');
      await c.call('GET', 'session:1');
      await c.call('GET', 'missing');
      await c.call('SELECT', 3);
      await c.call('SET', 'other', 'x');
    } finally {
      c.close();
    }
  });
  afterAll(() => redis.stop());

  it('scrapes the fixed target: up, keyspace, hits/misses, commands, latency histogram', async () => {
    const text = await new RedisExporter({ ...DEFAULT_REDIS_OPTIONS, addr: redis.url }).collect();
    expect(value(text, 'redis_up')).toBe(1);
    expect(text).toContain('redis_exporter_last_scrape_error{err=""} 0');
    expect(value(text, 'redis_db_keys{db="db0"}')).toBe(22);
    expect(value(text, 'redis_db_keys{db="db3"}')).toBe(1);
    expect(value(text, 'redis_db_keys{db="db15"}')).toBe(0);
    expect(value(text, 'redis_keyspace_hits_total')).toBe(1);
    expect(value(text, 'redis_keyspace_misses_total')).toBe(1);
    expect(value(text, 'redis_commands_total{cmd="set"}')).toBe(22);
    expect(text).toContain('# TYPE redis_commands_latencies_usec histogram');
    expect(value(text, 'redis_commands_latencies_usec_count{cmd="set"}')).toBe(22);
    expect(value(text, 'redis_commands_latencies_usec_bucket{cmd="set",le="+Inf"}')).toBe(22);
    expect(value(text, 'redis_config_maxclients')).toBe(10000);
    // Each family appears once.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('counts scrapes across /metrics calls, like redis_exporter', async () => {
    const e = new RedisExporter({ ...DEFAULT_REDIS_OPTIONS, addr: redis.url });
    await e.collect();
    const second = await e.collect();
    expect(value(second, 'redis_exporter_scrapes_total')).toBe(2);
    expect(value(second, 'redis_exporter_scrape_duration_seconds_count')).toBe(2);
  });

  it('target down: redis_up 0 and the error as a label, never a throw', async () => {
    const port = await freePort();
    const text = await new RedisExporter({
      ...DEFAULT_REDIS_OPTIONS,
      addr: `redis://127.0.0.1:${port}`,
    }).collect();
    expect(value(text, 'redis_up')).toBe(0);
    expect(text).toMatch(/redis_exporter_last_scrape_error\{err="dial 127\.0\.0\.1:\d+: .*"\} 1/);
    expect(text).not.toContain('redis_db_keys');
  });

  it('--check-keys, --check-single-keys, --count-keys and --check-key-groups', async () => {
    const o = redisOptionsFromFlags({
      'redis.addr': redis.url,
      'check-keys': 'session:1*,queue',
      'check-single-keys': 'counter',
      'count-keys': 'session:*',
      'check-key-groups': '^(session):,^(q)',
    });
    const text = await new RedisExporter(o).collect();
    expect(value(text, 'redis_key_size{db="db0",key="queue"}')).toBe(3);
    expect(value(text, 'redis_key_value{db="db0",key="counter"}')).toBe(42);
    expect(value(text, 'redis_key_value_as_string{db="db0",key="session:1",val="v1"}')).toBe(1);
    expect(value(text, 'redis_key_size{db="db0",key="session:12"}')).toBe(3);
    expect(value(text, 'redis_keys_count{db="db0",key="session:*"}')).toBe(20);
    expect(value(text, 'redis_key_group_count{db="db0",key_group="session"}')).toBe(20);
    expect(value(text, 'redis_key_group_count{db="db0",key_group="q"}')).toBe(1);
    expect(value(text, 'redis_key_group_count{db="db0",key_group="unclassified"}')).toBe(1);
    expect(value(text, 'redis_number_of_distinct_key_groups{db="db0"}')).toBe(3);
    expect(value(text, 'redis_exporter_last_scrape_keys_truncated')).toBe(0);
  });

  it('bounds SCAN walks and reports what was cut short', async () => {
    const o = redisOptionsFromFlags({
      'redis.addr': redis.url,
      'count-keys': 'session:*',
      'check-keys-batch-size': '2',
      'check-keys-max-scan': '5',
    });
    const text = await new RedisExporter(o).collect();
    expect(value(text, 'redis_keys_count{db="db0",key="session:*"}')).toBeLessThanOrEqual(5);
    expect(value(text, 'redis_exporter_last_scrape_keys_truncated')).toBe(1);
  });

  it('/scrape: fresh state per request, 400 + error counter on a bad target', async () => {
    const e = new RedisExporter({ ...DEFAULT_REDIS_OPTIONS, addr: '' });
    const ok = await e.scrapeHandler(
      new URLSearchParams({ target: `${redis.host}:${redis.port}` }),
    );
    expect(ok.status).toBe(200);
    expect(value(ok.body, 'redis_up')).toBe(1);
    expect(value(ok.body, 'redis_exporter_scrapes_total')).toBe(1);

    expect((await e.scrapeHandler(new URLSearchParams())).status).toBe(400);
    const bad = await e.scrapeHandler(new URLSearchParams({ target: 'http://x:1' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/scheme "http"/);
    const self = await e.collect();
    expect(value(self, 'redis_target_scrape_request_errors_total')).toBe(2);
    expect(self).not.toContain('redis_up');
  });

  it('/scrape drops a password in the target and takes it from the password file', async () => {
    const secured = await startRedis(['--requirepass', 'pw1']);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'okome-pw-'));
      const file = join(dir, 'pw.json');
      writeFileSync(file, JSON.stringify({ [secured.url]: 'pw1' }));
      const e = new RedisExporter(
        redisOptionsFromFlags({ 'redis.addr': '', 'redis.password-file': file }),
      );
      const r = await e.scrapeHandler(
        new URLSearchParams({ target: `redis://:wrong@${secured.host}:${secured.port}` }),
      );
      expect(value(r.body, 'redis_up')).toBe(1);
      expect(r.body).not.toContain('wrong');

      const noFile = new RedisExporter({ ...DEFAULT_REDIS_OPTIONS, addr: '' });
      const denied = await noFile.scrapeHandler(new URLSearchParams({ target: secured.url }));
      expect(denied.status).toBe(200);
      expect(value(denied.body, 'redis_up')).toBe(0);
    } finally {
      await secured.stop();
    }
  });

  it('rejects bad flag values naming the flag', () => {
    expect(() => redisOptionsFromFlags({ 'check-keys': 'a=b=c' })).toThrow(
      /--check-keys: invalid key list entry "a=b=c"/,
    );
    expect(() => redisOptionsFromFlags({ 'connection-timeout': 'soon' })).toThrow(
      /--connection-timeout/,
    );
    expect(() => redisOptionsFromFlags({ 'redis.password-file': '/nonexistent/pw.json' })).toThrow(
      /--redis.password-file \/nonexistent\/pw.json/,
    );
  });
});
