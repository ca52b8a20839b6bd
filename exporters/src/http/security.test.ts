// --tls-server-* and --basic-auth-* on a real exporter: throwaway certificates from openssl
// (test-support/test-certs.ts), real HTTPS requests from node:https (trusting only the test CA),
// nothing mocked.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exporter } from '../core/exporter';
import { FlagError, parseArgs, resolveOptions } from '../core/flags';
import { silentLogger } from '../core/logger';
import { hashSync } from 'bcryptjs';
import { makeTestCa, makeTestLeaf } from '../test-support/test-certs';
import { WEB_SECURITY_FLAGS, WWW_AUTHENTICATE, webSecurityFrom } from './security';
import type { WebSecurity } from './security';

let dir: string;
const file = (name: string) => join(dir, name);

/** A CA; a server certificate for 127.0.0.1 (twice: server, server2) and a client certificate. */
function makeCerts(): void {
  makeTestCa(dir, 'ca', 'okome-test-ca');
  for (const name of ['server', 'server2']) {
    makeTestLeaf(dir, { name, cn: name, ext: 'subjectAltName=IP:127.0.0.1' });
  }
  makeTestLeaf(dir, { name: 'client', cn: 'client', ext: 'extendedKeyUsage=clientAuth' });
}

function security(argv: string[]): WebSecurity {
  const { given } = parseArgs(argv, WEB_SECURITY_FLAGS, {});
  return webSecurityFrom(resolveOptions(WEB_SECURITY_FLAGS, given));
}

async function start(sec: WebSecurity): Promise<Exporter> {
  const e = new Exporter({
    collectors: [],
    listen: { host: '127.0.0.1', port: 0 },
    logger: silentLogger,
    security: sec,
  });
  await e.start();
  return e;
}

interface Reply {
  status: number;
  /** CN of the certificate the server presented. */
  peer: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: readFileSync(file('ca.crt')), timeout: 5_000, ...opts },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        const peer = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, peer, headers: res.headers, body }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'okome-web-tls-'));
  makeCerts();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('web security flags', () => {
  it('names the flag for a missing file, half a pair, a bad version or a foreign key', () => {
    expect(() =>
      security([
        '--tls-server-cert-file',
        file('nope.crt'),
        '--tls-server-key-file',
        file('server.key'),
      ]),
    ).toThrow(/--tls-server-cert-file: cannot read .*nope\.crt/);
    expect(() => security(['--tls-server-cert-file', file('server.crt')])).toThrow(
      '--tls-server-cert-file needs --tls-server-key-file',
    );
    expect(() => security(['--tls-server-min-version', 'TLS9'])).toThrow(
      /--tls-server-min-version: unknown TLS version "TLS9"/,
    );
    expect(() =>
      security([
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('client.key'),
      ]),
    ).toThrow(FlagError);
    expect(() =>
      security([
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--tls-server-ca-cert-file',
        file('server.ext'),
      ]),
    ).toThrow(/--tls-server-ca-cert-file: .* holds no PEM certificate/);
    expect(() => security(['--basic-auth-username', 'prom'])).toThrow(
      '--basic-auth-username needs --basic-auth-password',
    );
  });

  it('--basic-auth-hash-password: a malformed hash, or one next to the plain password, stops the start', () => {
    const hash = hashSync('s3cret', 4);
    for (const bad of ['s3cret', hash.slice(0, -1), hash.replace('$04$', '$99$')])
      expect(() =>
        security(['--basic-auth-username', 'prom', '--basic-auth-hash-password', bad]),
      ).toThrow(/^--basic-auth-hash-password: (not a bcrypt hash|bcrypt cost 99 is outside)/);
    expect(() =>
      security([
        '--basic-auth-username',
        'prom',
        '--basic-auth-password',
        's3cret',
        '--basic-auth-hash-password',
        hash,
      ]),
    ).toThrow('--basic-auth-password and --basic-auth-hash-password exclude each other');
    expect(() => security(['--basic-auth-hash-password', hash])).toThrow(
      '--basic-auth-hash-password needs --basic-auth-username',
    );
  });

  it('reads the env vars of the flag layer', () => {
    const { given } = parseArgs([], WEB_SECURITY_FLAGS, {
      OKOME_EXPORTER_BASIC_AUTH_USERNAME: 'prom',
      OKOME_EXPORTER_BASIC_AUTH_PASSWORD: 's3cret',
    });
    expect(webSecurityFrom(resolveOptions(WEB_SECURITY_FLAGS, given)).basicAuth).toEqual({
      username: 'prom',
      password: 's3cret',
    });
  });
});

describe('exporter over HTTPS with basic auth', () => {
  let exporter: Exporter;
  beforeAll(async () => {
    exporter = await start(
      security([
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--basic-auth-username',
        'prom',
        '--basic-auth-password',
        'p:a:ss',
      ]),
    );
  });
  afterAll(() => exporter.stop());

  it('serves HTTPS with the given certificate', async () => {
    expect(exporter.url()).toMatch(/^https:\/\//);
    const r = await get(`${exporter.url()}/metrics`, { headers: basic('prom', 'p:a:ss') });
    expect(r.status).toBe(200);
    expect(r.body).toContain('okome_exporter_');
  });

  it('answers 401 with WWW-Authenticate without or with wrong credentials, on every path', async () => {
    for (const path of ['/metrics', '/-/healthy', '/', '/nope']) {
      const r = await get(`${exporter.url()}${path}`);
      expect([path, r.status]).toEqual([path, 401]);
      expect(r.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    }
    for (const [u, p] of [
      ['prom', 'wrong'],
      ['other', 'p:a:ss'],
      ['prom', ''],
    ] as const) {
      const r = await get(`${exporter.url()}/metrics`, { headers: basic(u, p) });
      expect(r.status).toBe(401);
    }
    const ok = await get(`${exporter.url()}/-/healthy`, { headers: basic('prom', 'p:a:ss') });
    expect(ok.status).toBe(200);
  });

  it('refuses plain HTTP clients at the TLS layer', async () => {
    await expect(fetch(exporter.url().replace('https:', 'http:') + '/metrics')).rejects.toThrow();
  });
});

describe('exporter with --basic-auth-hash-password', () => {
  let exporter: Exporter;
  beforeAll(async () => {
    exporter = await start(
      security([
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--basic-auth-username',
        'prom',
        '--basic-auth-hash-password',
        hashSync('p:a:ss', 4),
      ]),
    );
  });
  afterAll(() => exporter.stop());

  it('answers 200 for the password of the hash and 401 with WWW-Authenticate otherwise', async () => {
    for (let i = 0; i < 2; i++) {
      // The second round is answered from the cache of verified pairs: same answers.
      const ok = await get(`${exporter.url()}/metrics`, { headers: basic('prom', 'p:a:ss') });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('okome_exporter_');
      for (const [u, p] of [
        ['prom', 'wrong'],
        ['other', 'p:a:ss'],
        ['prom', ''],
      ] as const) {
        const r = await get(`${exporter.url()}/metrics`, { headers: basic(u, p) });
        expect([u, p, r.status]).toEqual([u, p, 401]);
        expect(r.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
      }
    }
    const none = await get(`${exporter.url()}/-/healthy`);
    expect(none.status).toBe(401);
  });
});

describe('mutual TLS and minimum version', () => {
  let exporter: Exporter;
  beforeAll(async () => {
    exporter = await start(
      security([
        '--tls-server-cert-file',
        file('server.crt'),
        '--tls-server-key-file',
        file('server.key'),
        '--tls-server-ca-cert-file',
        file('ca.crt'),
        '--tls-server-min-version',
        'TLS1.3',
      ]),
    );
  });
  afterAll(() => exporter.stop());

  it('requires a client certificate from the CA', async () => {
    await expect(get(`${exporter.url()}/metrics`)).rejects.toThrow();
    const r = await get(`${exporter.url()}/metrics`, {
      cert: readFileSync(file('client.crt')),
      key: readFileSync(file('client.key')),
    });
    expect(r.status).toBe(200);
  });

  it('refuses a client below --tls-server-min-version', async () => {
    await expect(
      get(`${exporter.url()}/metrics`, {
        cert: readFileSync(file('client.crt')),
        key: readFileSync(file('client.key')),
        maxVersion: 'TLSv1.2',
      }),
    ).rejects.toThrow(/version|protocol/i);
  });
});

describe('certificate rotation', () => {
  it('serves a replaced certificate on the next connection; a broken pair keeps the old one', async () => {
    copyFileSync(file('server.crt'), file('live.crt'));
    copyFileSync(file('server.key'), file('live.key'));
    const exporter = await start(
      security([
        '--tls-server-cert-file',
        file('live.crt'),
        '--tls-server-key-file',
        file('live.key'),
      ]),
    );
    // A fresh connection each time: the handshake is where the certificate is chosen.
    const peer = async () => (await get(`${exporter.url()}/-/healthy`, { agent: false })).peer;
    try {
      expect(await peer()).toBe('server');
      copyFileSync(file('server2.crt'), file('live.crt'));
      copyFileSync(file('server2.key'), file('live.key'));
      expect(await peer()).toBe('server2');
      // Half a rotation (new certificate, old key): still the last good pair, still serving.
      copyFileSync(file('server.crt'), file('live.crt'));
      expect(await peer()).toBe('server2');
      copyFileSync(file('server.key'), file('live.key'));
      expect(await peer()).toBe('server');
    } finally {
      await exporter.stop();
    }
  });
});
