// --tls-* flags against a real TLS redis-server: a throwaway CA and certificates made with
// openssl (exporters/src/test-support/test-certs.ts), redis-server listening with --tls-port on
// loopback. Ours must scrape it over TLS like the anchor does, and say clearly when the CA, the
// server name or the client certificate is wrong (redis_up 0, the TLS reason in
// redis_exporter_last_scrape_error). No shared stack needed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisExporter, redisOptionsFromFlags } from '@okome/exporters';
import type { RedisFlagValues } from '@okome/exporters';
import { spawnRedisServer } from '../../exporters/src/test-support/redis-server';
import { makeTestCa, makeTestLeaf } from '../../exporters/src/test-support/test-certs';
import { freePort, HOST, parseExposition, startAnchor, type Proc } from './support';

/** A CA, a server certificate for localhost/127.0.0.1, a client certificate, and a foreign CA. */
function makeCerts(dir: string): void {
  makeTestCa(dir, 'ca', 'okome-test-ca');
  makeTestCa(dir, 'other-ca', 'someone-else');
  makeTestLeaf(dir, {
    name: 'server',
    cn: 'localhost',
    ext: 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  });
  makeTestLeaf(dir, { name: 'client', cn: 'okome-exporter', ext: 'extendedKeyUsage=clientAuth' });
}

async function startTlsRedis(dir: string, authClients: boolean): Promise<Proc> {
  const port = await freePort();
  const stop = await spawnRedisServer({
    args: [
      '--bind',
      HOST,
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--save',
      '',
      '--dir',
      dir,
      '--tls-cert-file',
      join(dir, 'server.crt'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.crt'),
      '--tls-auth-clients',
      authClients ? 'yes' : 'no',
    ],
    // Ready when the TLS port accepts: probe with our own skip-verify scrape.
    ready: async () =>
      (
        await scrapeOurs({
          'redis.addr': `rediss://${HOST}:${port}`,
          'skip-tls-verification': true,
          'connection-timeout': '500ms',
          ...(authClients ? clientCert(dir) : {}),
        })
      ).samples.get('redis_up') === 1,
    what: `TLS redis-server :${port}`,
    timeoutMs: 10_000,
  });
  return { port, url: `rediss://${HOST}:${port}`, stop };
}

function clientCert(dir: string): RedisFlagValues {
  return {
    'tls-client-cert-file': join(dir, 'client.crt'),
    'tls-client-key-file': join(dir, 'client.key'),
  };
}

async function scrapeOurs(flags: RedisFlagValues) {
  const text = await new RedisExporter(
    redisOptionsFromFlags({ 'connection-timeout': '3s', ...flags }),
  ).collect();
  return parseExposition(text);
}

function scrapeError(p: ReturnType<typeof parseExposition>): string {
  const series = [...p.samples.keys()].find((k) =>
    k.startsWith('redis_exporter_last_scrape_error{'),
  );
  return series ?? '';
}

describe('TLS to Redis (--tls-ca-cert-file, --tls-client-*-file, --tls-server-name)', () => {
  let dir: string;
  let redis: Proc;
  let mutual: Proc;

  beforeAll(async () => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'pipe' });
    } catch {
      throw new Error('openssl is not installed: the TLS tests need it to make a throwaway CA');
    }
    dir = mkdtempSync(join(tmpdir(), 'okome-redis-tls-'));
    makeCerts(dir);
    redis = await startTlsRedis(dir, false);
    mutual = await startTlsRedis(dir, true);
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    await mutual?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes rediss:// verified by the CA: redis_up 1, like the anchor with the same flags', async () => {
    const ca = join(dir, 'ca.crt');
    const mine = await scrapeOurs({ 'redis.addr': redis.url, 'tls-ca-cert-file': ca });
    expect(mine.samples.get('redis_up')).toBe(1);
    expect(mine.samples.get('redis_exporter_last_scrape_error{err=""}')).toBe(0);
    const anchor = await startAnchor(redis.url, ['-tls-ca-cert-file', ca]);
    try {
      const a = parseExposition(await (await fetch(`${anchor.url}/metrics`)).text());
      expect(a.samples.get('redis_up')).toBe(1);
      expect(mine.samples.get('redis_db_keys{db="db0"}')).toBe(
        a.samples.get('redis_db_keys{db="db0"}'),
      );
    } finally {
      await anchor.stop();
    }
  });

  it('a CA that did not sign the server certificate: redis_up 0, error names the TLS handshake', async () => {
    const p = await scrapeOurs({
      'redis.addr': redis.url,
      'tls-ca-cert-file': join(dir, 'other-ca.crt'),
    });
    expect(p.samples.get('redis_up')).toBe(0);
    expect(scrapeError(p)).toMatch(/tls handshake: .*certificate/);
  });

  it('a server name not in the certificate fails; --skip-tls-verification accepts it', async () => {
    const ca = join(dir, 'ca.crt');
    const wrong = await scrapeOurs({
      'redis.addr': redis.url,
      'tls-ca-cert-file': ca,
      'tls-server-name': 'cache.example',
    });
    expect(wrong.samples.get('redis_up')).toBe(0);
    expect(scrapeError(wrong)).toMatch(/tls handshake: .*cache\.example/);
    const skipped = await scrapeOurs({ 'redis.addr': redis.url, 'skip-tls-verification': true });
    expect(skipped.samples.get('redis_up')).toBe(1);
  });

  it('mutual TLS: the client certificate is presented; without it the server refuses', async () => {
    const ca = join(dir, 'ca.crt');
    const ok = await scrapeOurs({
      'redis.addr': mutual.url,
      'tls-ca-cert-file': ca,
      ...clientCert(dir),
    });
    expect(ok.samples.get('redis_up')).toBe(1);
    const refused = await scrapeOurs({ 'redis.addr': mutual.url, 'tls-ca-cert-file': ca });
    expect(refused.samples.get('redis_up')).toBe(0);
  });

  it('/scrape?target=rediss:// uses the TLS flags too', async () => {
    const e = new RedisExporter(
      redisOptionsFromFlags({ 'redis.addr': '', 'tls-ca-cert-file': join(dir, 'ca.crt') }),
    );
    const r = await e.scrapeHandler(new URLSearchParams({ target: redis.url }));
    expect(r.status).toBe(200);
    expect(parseExposition(r.body).samples.get('redis_up')).toBe(1);
  });
});
