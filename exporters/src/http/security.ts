// The exporter's own TLS and basic auth, with redis_exporter's flag names (--tls-server-*,
// --basic-auth-*). They guard the whole HTTP server, since every collector shares one port.
// Files are read and checked once at start, so a wrong path or a key that does not match its
// certificate stops the exporter with the flag named instead of failing every handshake later.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import type { SecureVersion, Server as TlsServer } from 'node:tls';
import { FlagError } from '../core/flags';
import type { FlagSpec, Options } from '../core/flags';
import { BcryptVerifier } from './bcrypt-auth';

export const WEB_SECURITY_FLAGS: readonly FlagSpec[] = [
  {
    name: 'tls-server-cert-file',
    type: 'string',
    help: 'Certificate (PEM) to serve every endpoint over HTTPS; needs --tls-server-key-file.',
    placeholder: 'FILE',
  },
  {
    name: 'tls-server-key-file',
    type: 'string',
    help: 'Private key (PEM) of --tls-server-cert-file.',
    placeholder: 'FILE',
  },
  {
    name: 'tls-server-ca-cert-file',
    type: 'string',
    help: 'CA (PEM) that scrapers must present a client certificate from (mutual TLS).',
    placeholder: 'FILE',
  },
  {
    name: 'tls-server-min-version',
    type: 'string',
    help: 'Lowest TLS version accepted: TLS1.0, TLS1.1, TLS1.2 or TLS1.3.',
    default: 'TLS1.2',
    placeholder: 'VERSION',
  },
  {
    name: 'basic-auth-username',
    type: 'string',
    help: 'Require HTTP basic auth on every endpoint with this user; needs --basic-auth-password.',
    placeholder: 'USER',
  },
  {
    name: 'basic-auth-password',
    type: 'string',
    help: 'Password for --basic-auth-username (prefer the env var: flags show in ps).',
    placeholder: 'PASSWORD',
  },
  {
    name: 'basic-auth-hash-password',
    type: 'string',
    help: 'bcrypt hash of the password for --basic-auth-username, instead of --basic-auth-password.',
    placeholder: 'BCRYPT',
  },
];

export interface WebTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, a client certificate signed by it is required. */
  readonly ca?: Buffer;
  readonly minVersion: SecureVersion;
  /** Where they came from, so a rotated certificate is picked up (watchCertificates). */
  readonly files?: { readonly cert: string; readonly key: string; readonly ca?: string };
}

/** The user and either the password in clear or a verifier of its bcrypt hash. */
export type BasicAuth =
  | { readonly username: string; readonly password: string }
  | { readonly username: string; readonly passwordHash: BcryptVerifier };

export interface WebSecurity {
  readonly tls?: WebTls;
  readonly basicAuth?: BasicAuth;
}

/** redis_exporter's spelling → Node's. */
const TLS_VERSIONS: Record<string, SecureVersion> = {
  'TLS1.0': 'TLSv1',
  'TLS1.1': 'TLSv1.1',
  'TLS1.2': 'TLSv1.2',
  'TLS1.3': 'TLSv1.3',
};

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new FlagError(`--${flag}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * The web flags → what the server needs. Unlike redis_exporter, which silently serves plain
 * HTTP (or no auth) when only half of a pair is given, half a pair is an error: someone meant
 * to protect the endpoint.
 */
export function webSecurityFrom(o: Options): WebSecurity {
  const certFile = o.string('tls-server-cert-file');
  const keyFile = o.string('tls-server-key-file');
  const caFile = o.string('tls-server-ca-cert-file');
  const versionText = o.string('tls-server-min-version') ?? 'TLS1.2';
  const user = o.string('basic-auth-username');
  const password = o.string('basic-auth-password');
  const hash = o.string('basic-auth-hash-password');

  const minVersion = TLS_VERSIONS[versionText];
  if (!minVersion)
    throw new FlagError(
      `--tls-server-min-version: unknown TLS version "${versionText}" (use ${Object.keys(TLS_VERSIONS).join(', ')})`,
    );
  if (!!certFile !== !!keyFile)
    throw new FlagError(
      certFile
        ? '--tls-server-cert-file needs --tls-server-key-file'
        : '--tls-server-key-file needs --tls-server-cert-file',
    );
  if (caFile && !certFile)
    throw new FlagError('--tls-server-ca-cert-file needs --tls-server-cert-file and -key-file');

  let tls: WebTls | undefined;
  if (certFile && keyFile) {
    const cert = readFlagFile('tls-server-cert-file', certFile);
    const key = readFlagFile('tls-server-key-file', keyFile);
    const ca = caFile ? readFlagFile('tls-server-ca-cert-file', caFile) : undefined;
    if (ca && !ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new FlagError(`--tls-server-ca-cert-file: ${caFile} holds no PEM certificate`);
    try {
      createSecureContext({ cert, key, ...(ca ? { ca } : {}), minVersion });
    } catch (err) {
      throw new FlagError(
        `--tls-server-cert-file ${certFile} / --tls-server-key-file ${keyFile}: ${(err as Error).message}`,
      );
    }
    tls = {
      cert,
      key,
      minVersion,
      ...(ca ? { ca } : {}),
      files: { cert: certFile, key: keyFile, ...(caFile ? { ca: caFile } : {}) },
    };
  }

  return { ...(tls ? { tls } : {}), ...basicAuthFrom(user, password, hash) };
}

/** As redis_exporter: the password in clear or its bcrypt hash, never both. */
function basicAuthFrom(
  user: string | undefined,
  password: string | undefined,
  hash: string | undefined,
): { basicAuth?: BasicAuth } {
  if (password && hash)
    throw new FlagError(
      '--basic-auth-password and --basic-auth-hash-password exclude each other: give one',
    );
  if (user && !password && !hash)
    throw new FlagError(
      '--basic-auth-username needs --basic-auth-password or --basic-auth-hash-password',
    );
  if (!user && (password || hash))
    throw new FlagError(
      `--basic-auth-${password ? 'password' : 'hash-password'} needs --basic-auth-username`,
    );
  if (!user) return {};
  if (password) return { basicAuth: { username: user, password } };
  try {
    return { basicAuth: { username: user, passwordHash: new BcryptVerifier(hash!) } };
  } catch (err) {
    throw new FlagError(`--basic-auth-hash-password: ${(err as Error).message}`);
  }
}

/** Options for https.createServer. */
export function httpsOptions(t: WebTls) {
  return {
    cert: t.cert,
    key: t.key,
    minVersion: t.minVersion,
    ...(t.ca ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      const st = statSync(f);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');
}

/**
 * Re-reads the certificate, key and CA when their files change, before the handshake of the
 * next connection (a listener ahead of the TLS one), so a rotated certificate is served without
 * a restart — redis_exporter loads them on every handshake. A stat per new connection is the
 * cost; a missing, half-written or mismatched pair keeps the previous context and is reported
 * once per state of the files.
 */
export function watchCertificates(
  server: TlsServer,
  t: WebTls,
  onError: (err: Error) => void,
): void {
  const f = t.files;
  if (!f) return;
  const files = [f.cert, f.key, ...(f.ca ? [f.ca] : [])];
  let current = stampOf(files);
  let failed = '';
  server.prependListener('connection', () => {
    let now: string;
    try {
      now = stampOf(files);
    } catch (err) {
      now = `missing: ${(err as Error).message}`;
    }
    if (now === current || now === failed) return;
    try {
      if (now.startsWith('missing: ')) throw new Error(now);
      const next: WebTls = {
        ...t,
        cert: readFileSync(f.cert),
        key: readFileSync(f.key),
        ...(f.ca ? { ca: readFileSync(f.ca) } : {}),
      };
      server.setSecureContext(httpsOptions(next));
      current = now;
      failed = '';
    } catch (err) {
      failed = now;
      onError(err as Error);
    }
  });
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** True when the request carries the configured basic-auth user and password. */
export async function basicAuthOk(req: IncomingMessage, auth: BasicAuth): Promise<boolean> {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  // Both checked always, so the timing does not tell which one was wrong.
  const userOk = sameSecret(user, auth.username);
  const passOk =
    'password' in auth
      ? sameSecret(pass, auth.password)
      : await auth.passwordHash.verify(user, pass);
  return userOk && passOk;
}

export const WWW_AUTHENTICATE = 'Basic realm="okome-exporter", charset="UTF-8"';
