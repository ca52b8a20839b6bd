// A Redis-only okome-exporter loads none of the packages other collectors need: prom-client (with
// @opentelemetry/api), the OTel SDK, @okome/provisioning (zod, yaml). They are reached through
// lazy getters (core/prom-client-lazy.ts, provisioning-lazy.ts, token-latency/metrics.ts); one
// top-level import in any collector module would load them in every exporter (bench/redis.mjs
// measures the RSS). The built bin runs in its own node process, as users run it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { freePort, startRedis, type RedisServer } from './test-support';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** Runs the bin with `flags`, scrapes /metrics once, prints the scrape and the packages loaded. */
function loadedAfterScrape(
  flags: string[],
  port: number,
): Promise<{ text: string; packages: string[] }> {
  const script = `
    process.argv.splice(2, Infinity, ...${JSON.stringify([...flags, `--web.listen-address=127.0.0.1:${port}`])});
    require(${JSON.stringify(CLI)});
    (async () => {
      let text = '';
      for (let i = 0; i < 200 && !text; i++) {
        try { text = await (await fetch('http://127.0.0.1:${port}/metrics')).text(); }
        catch { await new Promise((r) => setTimeout(r, 50)); }
      }
      const packages = new Set();
      for (const k of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k) ?? /\\/(provisioning)\\/dist\\//.exec(k);
        if (m) packages.add(m[1]);
      }
      console.log(JSON.stringify({ text, packages: [...packages] }));
      process.exit(0);
    })();
  `;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${err.message}\n${stderr}`))
        : resolve(
            JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
              text: string;
              packages: string[];
            },
          ),
    ),
  );
}

describe('footprint of a Redis-only okome-exporter', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('serves a Redis scrape without loading prom-client, OpenTelemetry or provisioning', async () => {
    const r = await loadedAfterScrape(
      ['--collector.disable-defaults', '--collector.redis', `--redis.addr=${redis.url}`],
      await freePort(),
    );
    expect(r.text).toMatch(/^redis_up 1$/m);
    expect(r.text).toMatch(/^process_resident_memory_bytes \d+/m);
    const heavy = r.packages.filter((p) =>
      /^(prom-client|@opentelemetry\/|provisioning$|@okome\/|zod$|yaml$)/.test(p),
    );
    expect(heavy).toEqual([]);
  });

  it('loads prom-client once a collector that builds its metrics in a registry is enabled', async () => {
    // The same check on the gpu collector (a fake nvidia-smi is not needed: a failing tool still
    // registers gpu_arbiter_* in the scrape's registry), so the filter above can see prom-client.
    const r = await loadedAfterScrape(
      [
        '--collector.disable-defaults',
        '--collector.redis',
        `--redis.addr=${redis.url}`,
        '--collector.gpu',
        '--gpu.vendor=nvidia',
        '--gpu.nvidia-smi-path=/nonexistent/nvidia-smi',
      ],
      await freePort(),
    );
    expect(r.text).toMatch(/^redis_up 1$/m);
    expect(r.packages).toContain('prom-client');
  });
});
