import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisExporter } from './exporter';
import { redisOptionsFromFlags } from './options';
import { scriptValues } from './script';
import { startRedis, type RedisServer } from './test-support';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('--script against a real redis-server', () => {
  let redis: RedisServer;
  let dir: string;
  const file = (name: string, lua: string): string => {
    const f = join(dir, name);
    writeFileSync(f, lua);
    return f;
  };
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'okome-lua-'));
  });
  afterAll(() => redis.stop());

  it('exports each name/value pair the script returns as redis_script_values{key}', async () => {
    const f = file(
      'ok.lua',
      'redis.call("SET", "hits", "12")\nreturn {"hits", redis.call("GET", "hits"), "dbsize", tostring(redis.call("DBSIZE"))}',
    );
    const text = await new RedisExporter(
      redisOptionsFromFlags({ 'redis.addr': redis.url, script: f }),
    ).collect();
    expect(value(text, 'redis_up')).toBe(1);
    expect(value(text, 'redis_script_values{key="hits"}')).toBe(12);
    expect(value(text, 'redis_script_values{key="dbsize"}')).toBe(1);
    expect(value(text, `redis_script_result{filename="${f}"}`)).toBe(1);
  });

  it('a failing script or a non-numeric value fails the scrape naming the script, like redis_exporter', async () => {
    for (const [name, lua, why] of [
      ['bad.lua', 'return redis.call("NOPE")', /Unknown Redis command|unknown command/i],
      ['nan.lua', 'return {"a", "x"}', /value of \\"a\\" is not a number \(x\)/],
      ['odd.lua', 'return {"a", "1", "b"}', /expected an even list/],
    ] as const) {
      const f = file(name, lua);
      const text = await new RedisExporter(
        redisOptionsFromFlags({ 'redis.addr': redis.url, script: f }),
      ).collect();
      expect(value(text, 'redis_up')).toBe(0);
      const err = text.split('\n').find((l) => l.startsWith('redis_exporter_last_scrape_error{'));
      expect(err).toContain(name);
      expect(err).toMatch(why);
      expect(value(text, `redis_script_result{filename="${f}"}`)).toBe(0);
    }
  });

  it('an unreadable --script file is a flag error naming it', () => {
    expect(() => redisOptionsFromFlags({ script: '/nonexistent/x.lua' })).toThrow(
      /--script \/nonexistent\/x\.lua/,
    );
  });

  it('empty result: no values, result 2', () => {
    expect(scriptValues('f', null)).toEqual([]);
    expect(scriptValues('f', [])).toEqual([]);
    expect(scriptValues('f', ['k', 3])).toEqual([['k', 3]]);
  });
});
