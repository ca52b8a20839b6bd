import { RedisExporter } from './exporter';
import { DEFAULT_REDIS_OPTIONS } from './options';
import { parseSentinelMasters } from './sentinel';
import { startRedis, startSentinel, type RedisServer } from './test-support';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('sentinel targets', () => {
  it('parses the masterN lines of INFO sentinel', () => {
    const info =
      '# Sentinel\r\nsentinel_masters:2\r\n' +
      'master0:name=a,status=ok,address=10.0.0.1:6379,slaves=2,sentinels=3\r\n' +
      'master1:name=b,status=odown,address=10.0.0.2:6380,slaves=0,sentinels=1\r\n';
    expect(parseSentinelMasters(info)).toEqual([
      { name: 'a', status: 'ok', address: '10.0.0.1:6379', slaves: 2, sentinels: 3 },
      { name: 'b', status: 'odown', address: '10.0.0.2:6380', slaves: 0, sentinels: 1 },
    ]);
  });

  describe('against a real redis-server --sentinel', () => {
    let master: RedisServer;
    let sentinel: RedisServer;
    beforeAll(async () => {
      master = await startRedis();
      sentinel = await startSentinel(master);
    }, 20_000);
    afterAll(async () => {
      await sentinel?.stop();
      await master?.stop();
    });

    it('exports redis_sentinel_* with redis_exporter names and labels', async () => {
      const text = await new RedisExporter({
        ...DEFAULT_REDIS_OPTIONS,
        addr: sentinel.url,
      }).collect();
      const m = `master_name="mymaster",master_address="${master.host}:${master.port}"`;
      expect(value(text, 'redis_up')).toBe(1);
      expect(value(text, 'redis_sentinel_masters')).toBe(1);
      expect(value(text, 'redis_sentinel_tilt')).toBe(0);
      expect(value(text, `redis_sentinel_master_status{${m},master_status="ok"}`)).toBe(1);
      expect(value(text, `redis_sentinel_master_slaves{${m}}`)).toBe(0);
      expect(value(text, `redis_sentinel_master_sentinels{${m}}`)).toBe(1);
      expect(value(text, `redis_sentinel_master_ok_sentinels{${m}}`)).toBe(1);
      expect(value(text, `redis_sentinel_master_ok_slaves{${m}}`)).toBe(0);
      expect(text).toMatch(
        /redis_sentinel_master_ckquorum_status\{master_name="mymaster",message="OK 1 usable Sentinels[^"]*"\} 1/,
      );
    });

    it('a plain redis-server has no redis_sentinel_* series', async () => {
      const text = await new RedisExporter({
        ...DEFAULT_REDIS_OPTIONS,
        addr: master.url,
      }).collect();
      expect(text).not.toMatch(/^redis_sentinel_/m);
    });
  });
});
