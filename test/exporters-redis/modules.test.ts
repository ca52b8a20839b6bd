// --include-modules-metrics and --include-search-indexes-metrics against a real redis-server
// with a real module loaded: Debian's redis-redisearch (RediSearch 1.2, installed by the
// bootstrap) in Debian's redis-server 7.0, on loopback. redis_module_info must say what
// MODULE LIST says. Debian's redis_exporter v1.45 has neither flag (checked below), so there is
// no anchor run to compare with; the metric shapes follow redis_exporter's modules.go and
// search_indexes.go (exporters/README.md). Uses the built CLI (exporters/dist/cli.js; run
// `npx tsc -b tsconfig.build.json` first). No shared stack needed (OKOME_E2E_NO_STACK=1).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANCHOR_BIN,
  freePort,
  HOST,
  parseExposition,
  redisCli,
  startRedis,
  stopper,
  waitUntil,
  type Proc,
} from './support';

const CLI = join(__dirname, '..', '..', 'exporters', 'dist', 'cli.js');
const MODULE = '/usr/lib/redis/modules/redisearch.so';

type Resp = string | number | null | Error | Resp[];

/** Parses one RESP2 reply from redisCli's raw text (independent of the code under test). */
function parseResp(text: string): Resp {
  let pos = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', pos);
    const l = text.slice(pos, end);
    pos = end + 2;
    return l;
  };
  const value = (): Resp => {
    const l = line();
    const body = l.slice(1);
    switch (l[0]) {
      case '+':
        return body;
      case '-':
        return new Error(body);
      case ':':
        return Number(body);
      case '$': {
        const n = Number(body);
        if (n < 0) return null;
        const s = text.slice(pos, pos + n);
        pos += n + 2;
        return s;
      }
      case '*': {
        const n = Number(body);
        return n < 0 ? null : Array.from({ length: n }, value);
      }
      default:
        throw new Error(`not RESP: ${l}`);
    }
  };
  return value();
}

/** Our exporter from the built CLI, redis collector only, with extra flags / env. */
async function ours(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Proc & { log: () => string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      CLI,
      '--collector.disable-defaults',
      '--collector.redis',
      '--web.listen-address',
      `${HOST}:${port}`,
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, ...env } },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://${HOST}:${port}`;
  const stop = stopper(child);
  try {
    await waitUntil(async () => (await fetch(`${url}/-/healthy`)).ok, `okome-exporter :${port}`);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}: ${log}`);
  }
  return { port, url, stop, log: () => log };
}

async function metrics(url: string): Promise<ReturnType<typeof parseExposition>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** MODULE LIST → { name, ver } per module, straight from the server. */
async function moduleList(port: number): Promise<{ name: string; ver: string }[]> {
  const reply = parseResp(await redisCli(port, 'MODULE', 'LIST'));
  if (!Array.isArray(reply)) throw new Error(`MODULE LIST: ${String(reply)}`);
  return reply.map((m) => {
    const kv = new Map<string, Resp>();
    const a = m as Resp[];
    for (let i = 0; i + 1 < a.length; i += 2) kv.set(String(a[i]), a[i + 1]!);
    return { name: String(kv.get('name')), ver: String(kv.get('ver')) };
  });
}

/** redis_module_info series as { name, ver, api, filters, usedby, using } label maps. */
function moduleInfo(samples: Map<string, number>): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const [series, v] of samples) {
    if (!series.startsWith('redis_module_info{')) continue;
    expect(v).toBe(1);
    out.push(
      Object.fromEntries([...series.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])),
    );
  }
  return out;
}

describe('redis collector: module metrics on a real redis-server with RediSearch loaded', () => {
  let redis: Proc;
  let plain: Proc;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -b tsconfig.build.json`);
    if (!existsSync(MODULE))
      throw new Error(
        `${MODULE} is missing: apt-get install redis-redisearch (scripts/bootstrap.mjs)`,
      );
    redis = await startRedis(['--loadmodule', MODULE]);
    plain = await startRedis([]);
    // an index with a document, so the module has state to report. redis-cli, not redisCli:
    // RediSearch 1.2 answers FT.ADD from a thread, after a half-closed connection is gone.
    const cli = (...a: string[]): string =>
      execFileSync('redis-cli', ['-h', HOST, '-p', String(redis.port), ...a], {
        encoding: 'utf8',
        timeout: 15_000,
      }).trim();
    expect(cli('FT.CREATE', 'idx1', 'SCHEMA', 'title', 'TEXT')).toBe('OK');
    expect(cli('FT.ADD', 'idx1', 'doc1', '1.0', 'FIELDS', 'title', 'hello')).toBe('OK');
  });

  afterAll(async () => {
    await redis?.stop();
    await plain?.stop();
  });

  it('redis_module_info matches MODULE LIST (name, ver), with the INFO MODULES labels', async () => {
    const listed = await moduleList(redis.port);
    expect(listed.length).toBeGreaterThan(0);
    const exp = await ours(['--redis.addr', redis.url, '--include-modules-metrics']);
    try {
      const m = await metrics(`${exp.url}/metrics`);
      expect(m.samples.get('redis_up')).toBe(1);
      expect(m.types.get('redis_module_info')).toBe('gauge');
      expect([...(m.labels.get('redis_module_info') ?? [])].sort()).toEqual([
        'api',
        'filters',
        'name',
        'usedby',
        'using',
        'ver',
      ]);
      const info = moduleInfo(m.samples);
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(info.map((i) => ({ name: i.name ?? '', ver: i.ver ?? '' })).sort(byName)).toEqual(
        listed.sort(byName),
      );
      for (const i of info) expect(i.api).toMatch(/^\d+$/);
      // /scrape?target= reads the same modules with the same flags
      const s = await metrics(`${exp.url}/scrape?target=${encodeURIComponent(redis.url)}`);
      expect(moduleInfo(s.samples)).toEqual(info);
    } finally {
      await exp.stop();
    }
  });

  it('off by default; the flag also comes from OKOME_EXPORTER_INCLUDE_MODULES_METRICS', async () => {
    const off = await ours(['--redis.addr', redis.url]);
    try {
      const m = await metrics(`${off.url}/metrics`);
      expect(m.samples.get('redis_up')).toBe(1);
      expect(m.types.has('redis_module_info')).toBe(false);
    } finally {
      await off.stop();
    }
    const env = await ours(['--redis.addr', redis.url], {
      OKOME_EXPORTER_INCLUDE_MODULES_METRICS: 'true',
    });
    try {
      expect(moduleInfo((await metrics(`${env.url}/metrics`)).samples)).toHaveLength(1);
    } finally {
      await env.stop();
    }
  });

  it('a Redis without modules: no redis_module_info, scrape still up', async () => {
    const exp = await ours([
      '--redis.addr',
      plain.url,
      '--include-modules-metrics',
      '--include-search-indexes-metrics',
    ]);
    try {
      const m = await metrics(`${exp.url}/metrics`);
      expect(m.samples.get('redis_up')).toBe(1);
      expect(m.types.has('redis_module_info')).toBe(false);
      expect([...m.types.keys()].filter((n) => n.startsWith('redis_search_index_'))).toEqual([]);
    } finally {
      await exp.stop();
    }
  });

  it('--include-search-indexes-metrics on RediSearch 1.2 (no FT._LIST): nothing exported, redis_up 1, reason logged', async () => {
    // the same error the module gives redis_exporter, straight from the server
    expect(await redisCli(redis.port, 'FT._LIST')).toMatch(/^-ERR unknown command/);
    const exp = await ours(['--redis.addr', redis.url, '--include-search-indexes-metrics']);
    try {
      const m = await metrics(`${exp.url}/metrics`);
      expect(m.samples.get('redis_up')).toBe(1);
      expect([...m.types.keys()].filter((n) => n.startsWith('redis_search_index_'))).toEqual([]);
      await waitUntil(async () => exp.log().includes('FT._LIST'), 'the FT._LIST reason in the log');
    } finally {
      await exp.stop();
    }
  });

  it('a bad --check-search-indexes regex is refused at start, naming the flag', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, '--collector.disable-defaults', '--collector.redis', '--check-search-indexes', '['],
      {
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--check-search-indexes');
  });

  it('Debian redis_exporter v1.45 (the anchor) has no modules flag, so there is nothing to compare with', () => {
    const r = spawnSync(ANCHOR_BIN, ['-include-modules-metrics'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('flag provided but not defined: -include-modules-metrics');
  });
});
