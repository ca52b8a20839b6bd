import { createServer, type Server } from 'node:net';
import { MetricSink } from './exposition';
import { DEFAULT_REDIS_OPTIONS, type RedisOptions } from './options';
import { RespClient, RespError, RespParser, type RespValue } from './resp';
import { scrapeRedis } from './scrape';
import { startRedis, type RedisServer } from './test-support';

function encode(v: RespValue): string {
  if (v === null) return '$-1\r\n';
  if (v instanceof RespError) return `-${v.message}\r\n`;
  if (typeof v === 'number') return `:${v}\r\n`;
  if (Array.isArray(v)) return `*${v.length}\r\n${v.map(encode).join('')}`;
  return `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
}

/**
 * Redis 6 in front of a real redis-server: CONFIG GET with more than one pattern gets Redis 6's
 * error; every other command is passed on, in order.
 */
async function redis6Proxy(upstream: RedisServer): Promise<{ url: string; close(): void }> {
  const seen: string[][] = [];
  const server: Server = createServer((sock) => {
    const parser = new RespParser();
    let chain = Promise.resolve();
    const up = RespClient.connect({ host: upstream.host, port: upstream.port });
    sock.on('data', (chunk) => {
      for (const cmd of parser.feed(chunk) as string[][]) {
        seen.push(cmd);
        chain = chain.then(async () => {
          const multi = cmd[0]?.toUpperCase() === 'CONFIG' && cmd.length > 3;
          const reply = multi
            ? new RespError(
                "ERR Unknown subcommand or wrong number of arguments for 'get'. Try CONFIG HELP.",
              )
            : await (await up).send(...cmd);
          sock.write(encode(reply));
        });
      }
    });
    sock.on('close', () => void up.then((c) => c.close()));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `redis://127.0.0.1:${port}`, close: () => server.close() };
}

function value(text: string, series: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.slice(series.length + 1);
}

describe('scrapeRedis config', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(['--maxclients', '321', '--databases', '4']);
  });
  afterAll(() => redis.stop());

  const options: RedisOptions = { ...DEFAULT_REDIS_OPTIONS, namespace: 'redis' };

  async function scrape(url: string): Promise<string> {
    const sink = new MetricSink('redis');
    const r = await scrapeRedis(sink, url, options);
    expect(r.error).toBeUndefined();
    return sink.render();
  }

  it.each([
    ['Redis 7 (several patterns in one CONFIG GET)', false],
    ['Redis 6 (one pattern per CONFIG GET: falls back to *)', true],
  ])('exports the config gauges and every database of %s', async (_, old) => {
    const proxy = old ? await redis6Proxy(redis) : undefined;
    try {
      const text = await scrape(proxy?.url ?? redis.url);
      expect(value(text, 'redis_config_maxclients')).toBe('321');
      expect(value(text, 'redis_config_maxmemory')).toBe('0');
      expect(value(text, 'redis_db_keys{db="db3"}')).toBe('0');
      expect(value(text, 'redis_db_keys{db="db4"}')).toBeUndefined();
      expect(
        value(text, 'redis_config_client_output_buffer_limit_bytes{class="pubsub",limit="hard"}'),
      ).toBe('33554432');
    } finally {
      proxy?.close();
    }
  });
});
