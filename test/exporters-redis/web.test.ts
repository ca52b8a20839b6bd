// The exporter's own web security and /-/reload through the built CLI (exporters/dist/cli.js;
// `npx tsc -b tsconfig.build.json` first), next to Debian's redis_exporter v1.45 (the anchor)
// where it has the feature: HTTPS with --tls-server-cert/key-file, client certificates with
// --tls-server-ca-cert-file and --tls-server-min-version behave alike (tested apart: v1.45 drops
// the minimum version once a client CA is set; ours keeps it). Basic auth and /-/reload
// came after v1.45, so they are checked against redis_exporter's documented answers only.
// No shared stack needed (OKOME_E2E_NO_STACK=1).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { makeTestCa, makeTestLeaf } from '../../exporters/src/test-support/test-certs';
import { ANCHOR_BIN, freePort, HOST, startRedis, type Proc } from './support';

const CLI = join(__dirname, '..', '..', 'exporters', 'dist', 'cli.js');

let dir: string;
const file = (name: string) => join(dir, name);

/** A CA, a server certificate for 127.0.0.1 and a client certificate signed by it. */
function makeCerts(): void {
  makeTestCa(dir, 'ca', 'ca');
  makeTestLeaf(dir, { name: 'server', cn: 'server', ext: 'subjectAltName=IP:127.0.0.1' });
  makeTestLeaf(dir, { name: 'client', cn: 'client', ext: 'extendedKeyUsage=clientAuth' });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpsGet(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: readFileSync(file('ca.crt')), timeout: 5_000, ...opts },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const clientCert = () => ({
  cert: readFileSync(file('client.crt')),
  key: readFileSync(file('client.key')),
});

/** Starts a process and waits (bounded) until `ready` answers; stderr is kept for messages. */
async function startProc(
  cmd: string,
  args: string[],
  ready: (port: number) => Promise<boolean>,
  env: NodeJS.ProcessEnv = {},
): Promise<Proc & { stderr: () => string }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    cmd,
    args.map((a) => a.replace('{port}', String(port))),
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH, ...env },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const until = Date.now() + 15_000;
  while (!(await ready(port).catch(() => false))) {
    if (Date.now() > until || child.exitCode !== null) {
      await stop();
      throw new Error(`${cmd} did not come up on :${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `https://${HOST}:${port}`, stop, stderr: () => stderr };
}

const anchorTls = (redis: string, extra: string[]) =>
  startProc(
    ANCHOR_BIN,
    [
      '-redis.addr',
      redis,
      '-web.listen-address',
      `${HOST}:{port}`,
      '-tls-server-cert-file',
      file('server.crt'),
      '-tls-server-key-file',
      file('server.key'),
      ...extra,
    ],
    async (p) => (await httpsGet(`https://${HOST}:${p}/health`, clientCert())).status === 200,
  );

const oursCli = (
  args: string[],
  env: NodeJS.ProcessEnv = {},
  ready: (port: number) => Promise<boolean>,
) =>
  startProc(
    process.execPath,
    [
      CLI,
      '--collector.disable-defaults',
      '--collector.redis',
      '--web.listen-address',
      `${HOST}:{port}`,
      ...args,
    ],
    ready,
    env,
  );

describe('exporter web security and /-/reload (CLI, anchor where it has the feature)', () => {
  let redis: Proc;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -b tsconfig.build.json`);
    dir = mkdtempSync(join(tmpdir(), 'okome-web-e2e-'));
    makeCerts();
    redis = await startRedis(['--requirepass', 'right']);
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function both(extra: string[]) {
    const anchor = await anchorTls(redis.url, [
      '-redis.password',
      'right',
      ...extra.map((a) => a.replace(/^--/, '-')),
    ]);
    const mine = await oursCli(
      [
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--redis.addr',
        redis.url,
        ...extra,
      ],
      { OKOME_EXPORTER_REDIS_PASSWORD: 'right' },
      async (p) => (await httpsGet(`https://${HOST}:${p}/-/healthy`, clientCert())).status === 200,
    );
    return { procs: [anchor, mine], stop: async () => (await mine.stop(), await anchor.stop()) };
  }

  it('HTTPS and required client certificates behave as the anchor', async () => {
    const { procs, stop } = await both(['--tls-server-ca-cert-file', file('ca.crt')]);
    try {
      for (const p of procs) {
        const ok = await httpsGet(`${p.url}/metrics`, clientCert());
        expect([p.url, ok.status]).toEqual([p.url, 200]);
        expect(ok.body).toMatch(/^redis_up 1$/m);
        // No client certificate: the handshake fails on both.
        await expect(httpsGet(`${p.url}/metrics`)).rejects.toThrow();
        // A CA the client does not know: the client refuses the server certificate.
        await expect(
          httpsGet(`${p.url}/metrics`, { ...clientCert(), ca: readFileSync(file('client.crt')) }),
        ).rejects.toThrow(/certificate/i);
      }
    } finally {
      await stop();
    }
  });

  it('--tls-server-min-version refuses older clients, as the anchor', async () => {
    const { procs, stop } = await both(['--tls-server-min-version', 'TLS1.3']);
    try {
      for (const p of procs) {
        expect((await httpsGet(`${p.url}/metrics`)).status).toBe(200);
        await expect(httpsGet(`${p.url}/metrics`, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
      }
    } finally {
      await stop();
    }
  });

  it('basic auth (env vars): 401 with WWW-Authenticate on every path without credentials', async () => {
    const auth = { Authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` };
    const mine = await oursCli(
      [
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--redis.addr',
        redis.url,
      ],
      {
        OKOME_EXPORTER_BASIC_AUTH_USERNAME: 'prom',
        OKOME_EXPORTER_BASIC_AUTH_PASSWORD: 's3cret',
        OKOME_EXPORTER_REDIS_PASSWORD: 'right',
      },
      async (p) =>
        (await httpsGet(`https://${HOST}:${p}/-/healthy`, { headers: auth })).status === 200,
    );
    try {
      for (const path of [
        '/metrics',
        '/-/healthy',
        '/scrape?target=' + redis.url,
        '/-/reload',
        '/discover-cluster-nodes',
      ]) {
        const r = await httpsGet(`${mine.url}${path}`);
        expect([path, r.status, r.body]).toEqual([path, 401, 'Unauthorized\n']);
        expect(r.headers['www-authenticate']).toMatch(/^Basic realm="/);
        const wrong = await httpsGet(`${mine.url}${path}`, {
          headers: { Authorization: `Basic ${Buffer.from('prom:nope').toString('base64')}` },
        });
        expect([path, wrong.status]).toEqual([path, 401]);
      }
      const ok = await httpsGet(`${mine.url}/metrics`, { headers: auth });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/^redis_up 1$/m);
    } finally {
      await mine.stop();
    }
  });

  it('basic auth with a bcrypt hash (--basic-auth-hash-password, env var): the password of the hash opens every path', async () => {
    const basic = (u: string, p: string) => ({
      Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    const mine = await oursCli(
      [
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--redis.addr',
        redis.url,
      ],
      {
        OKOME_EXPORTER_BASIC_AUTH_USERNAME: 'prom',
        // As `htpasswd -nbBC 8 prom s3cret` prints it after the colon.
        OKOME_EXPORTER_BASIC_AUTH_HASH_PASSWORD: hashSync('s3cret', 8),
        OKOME_EXPORTER_REDIS_PASSWORD: 'right',
      },
      async (p) =>
        (await httpsGet(`https://${HOST}:${p}/-/healthy`, { headers: basic('prom', 's3cret') }))
          .status === 200,
    );
    try {
      for (const path of ['/metrics', '/-/healthy', '/scrape?target=' + redis.url]) {
        const none = await httpsGet(`${mine.url}${path}`);
        expect([path, none.status]).toEqual([path, 401]);
        expect(none.headers['www-authenticate']).toMatch(/^Basic realm="/);
        const wrong = await httpsGet(`${mine.url}${path}`, { headers: basic('prom', 's3cre') });
        expect([path, wrong.status]).toEqual([path, 401]);
      }
      // Scrapes repeat the same credentials: each one passes (the later ones from the cache).
      for (let i = 0; i < 3; i++) {
        const ok = await httpsGet(`${mine.url}/metrics`, { headers: basic('prom', 's3cret') });
        expect(ok.status).toBe(200);
        expect(ok.body).toMatch(/^redis_up 1$/m);
      }
    } finally {
      await mine.stop();
    }
  });

  it('a malformed --basic-auth-hash-password stops the CLI with the flag named', async () => {
    await expect(
      oursCli(
        ['--basic-auth-username', 'prom', '--basic-auth-hash-password', 's3cret'],
        {},
        async () => false,
      ),
    ).rejects.toThrow(/--basic-auth-hash-password: not a bcrypt hash/);
  });

  it('a web TLS file that cannot be read stops the CLI with the flag named', async () => {
    await expect(
      oursCli(
        [
          '--tls-server-cert-file',
          file('missing.crt'),
          '--tls-server-key-file',
          file('server.key'),
        ],
        {},
        async () => false,
      ),
    ).rejects.toThrow(/--tls-server-cert-file: cannot read .*missing\.crt/);
  });

  it('/-/reload (GET or POST) re-reads --redis.password-file for /metrics and /scrape', async () => {
    const pw = file('pw.json');
    writeFileSync(pw, JSON.stringify({ [redis.url]: 'wrong' }));
    const mine = await oursCli(
      [
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--redis.addr',
        redis.url,
        '--redis.password-file',
        pw,
      ],
      {},
      async (p) => (await httpsGet(`https://${HOST}:${p}/-/healthy`)).status === 200,
    );
    const up = async (path: string) =>
      /^redis_up (\d)$/m.exec((await httpsGet(`${mine.url}${path}`)).body)?.[1];
    try {
      expect(await up('/metrics')).toBe('0');
      writeFileSync(pw, JSON.stringify({ [redis.url]: 'right' }));
      const r = await httpsGet(`${mine.url}/-/reload`, { method: 'POST' });
      expect([r.status, r.body]).toEqual([200, 'ok']);
      expect(await up('/metrics')).toBe('1');
      expect(await up(`/scrape?target=${encodeURIComponent(redis.url)}`)).toBe('1');

      writeFileSync(pw, '[1]');
      const bad = await httpsGet(`${mine.url}/-/reload`);
      expect(bad.status).toBe(500);
      expect(bad.body).toMatch(/^failed to reload passwords file: .*expected an object/);
      expect(await up('/metrics')).toBe('1');
    } finally {
      await mine.stop();
    }
  });
});
