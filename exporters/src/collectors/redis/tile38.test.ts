// --is-tile38 against the fake Tile38 (recorded replies, exporters/fixtures/tile38) and a real
// redis-server: the SERVER EXT fields redis_exporter maps become redis_tile38_* gauges; a server
// without SERVER (plain Redis) leaves the scrape up.
import { fixture, sample } from '../../test-support/fixtures';
import { startFakeTile38, TILE38_FIXTURES, type FakeTile38 } from '../../test-support/fake-tile38';
import { RedisExporter } from './exporter';
import { MetricSink } from './exposition';
import { DEFAULT_REDIS_OPTIONS } from './options';
import { startRedis, type RedisServer } from './test-support';
import { extractTile38Metrics } from './tile38';

const EXT = JSON.parse(fixture('tile38', TILE38_FIXTURES.serverExt)) as Record<string, string>;

describe('extractTile38Metrics', () => {
  it('prefixes keys, keeps only mapped ones, booleans as 0/1, skips an odd trailing key', () => {
    const sink = new MetricSink('redis');
    extractTile38Metrics(sink, [
      'sys_cpus',
      '6',
      'tile38_read_only',
      'false',
      'tile38_http_transport',
      'true',
      'tile38_id',
      'aed2',
      'go_version',
      'go1.13.4',
      'tile38_num_points',
    ]);
    const text = sink.render();
    expect(sample(text, 'redis_tile38_cpus_total')).toBe(6);
    expect(sample(text, 'redis_tile38_read_only')).toBe(0);
    expect(sample(text, 'redis_tile38_http_transport')).toBe(1);
    expect(text).toMatch(/^# TYPE redis_tile38_cpus_total gauge$/m);
    expect(text).not.toMatch(/tile38_id|go_version|num_points/);
  });

  it('ignores an error reply or a non-array', () => {
    const sink = new MetricSink('redis');
    extractTile38Metrics(sink, 'ERR unknown command');
    extractTile38Metrics(sink, null);
    expect(sink.render()).toBe('');
  });
});

describe('--is-tile38 scrape', () => {
  let tile38: FakeTile38;
  let redis: RedisServer;
  beforeAll(async () => {
    tile38 = await startFakeTile38();
    redis = await startRedis();
  });
  afterAll(async () => {
    await tile38.close();
    await redis.stop();
  });

  const scrape = (addr: string, isTile38: boolean) =>
    new RedisExporter({ ...DEFAULT_REDIS_OPTIONS, addr, isTile38 }).collect();

  it('exports every mapped SERVER EXT field of the recorded reply with its value', async () => {
    const text = await scrape(tile38.url, true);
    expect(sample(text, 'redis_up')).toBe(1);
    const want: Record<string, number> = {
      redis_tile38_aof_size_bytes: Number(EXT.tile38_aof_size),
      redis_tile38_avg_item_size_bytes: Number(EXT.tile38_avg_point_size),
      redis_tile38_cpus_total: Number(EXT.sys_cpus),
      redis_tile38_heap_released_bytes: Number(EXT.heap_released_bytes),
      redis_tile38_heap_size_bytes: Number(EXT.heap_alloc_bytes),
      redis_tile38_http_transport: 1,
      redis_tile38_in_memory_size_bytes: Number(EXT.tile38_in_memory_size),
      redis_tile38_max_heap_size_bytes: Number(EXT.tile38_max_heap_size),
      redis_tile38_mem_alloc_bytes: Number(EXT.alloc_bytes),
      redis_tile38_num_collections_total: Number(EXT.tile38_num_collections),
      redis_tile38_num_hooks_total: Number(EXT.tile38_num_hooks),
      redis_tile38_num_objects_total: Number(EXT.tile38_num_objects),
      redis_tile38_num_points_total: Number(EXT.tile38_num_points),
      redis_tile38_pointer_size_bytes: Number(EXT.tile38_pointer_size),
      redis_tile38_read_only: 0,
      redis_tile38_threads_total: Number(EXT.go_threads),
      redis_tile38_go_goroutines_total: Number(EXT.go_goroutines),
      redis_tile38_last_gc_time_seconds: Number(EXT.last_gc_time_seconds),
      redis_tile38_next_gc_bytes: Number(EXT.next_gc_bytes),
    };
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, sample(text, k)]));
    expect(got).toEqual(want);
    expect(text.match(/^redis_tile38_\w+ /gm)).toHaveLength(Object.keys(want).length);
    // Sent as two arguments, as upstream (Tile38 knows no command "SERVER EXT").
    expect(tile38.commands).toContainEqual(['SERVER', 'EXT']);
  });

  it('without the flag: no SERVER EXT, no redis_tile38_*; the INFO fields still come', async () => {
    const before = tile38.commands.length;
    const text = await scrape(tile38.url, false);
    expect(tile38.commands.slice(before).some((c) => c[0] === 'SERVER')).toBe(false);
    expect(text).not.toMatch(/^redis_tile38_/m);
    expect(sample(text, 'redis_up')).toBe(1);
    expect(sample(text, 'redis_memory_used_bytes')).toBe(31663904);
  });

  it('a plain Redis with --is-tile38: SERVER is unknown there, the scrape stays up', async () => {
    const text = await scrape(redis.url, true);
    expect(sample(text, 'redis_up')).toBe(1);
    expect(text).not.toMatch(/^redis_tile38_/m);
  });
});
