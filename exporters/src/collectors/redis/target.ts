// Redis addresses as redis_exporter takes them: redis://[user:pass@]host:port[/db],
// rediss:// for TLS, unix:///path.sock, or a bare host:port. Credentials never leave this
// module in a label or a log line: targets are reported redacted.
export interface RedisTarget {
  /** The address without credentials: the key for the password file and the label value. */
  uri: string;
  host: string;
  port: number;
  path?: string;
  tls: boolean;
  user?: string;
  password?: string;
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export function parseRedisTarget(input: string): RedisTarget {
  const raw = input.trim();
  if (raw === '') throw new TargetError('target is empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `redis://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TargetError(`target "${redact(raw)}" is not a valid redis URI`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme === 'unix') {
    if (!url.pathname) throw new TargetError('unix target needs a socket path');
    return { uri: `unix://${url.pathname}`, host: '', port: 0, path: url.pathname, tls: false };
  }
  if (scheme !== 'redis' && scheme !== 'rediss')
    throw new TargetError(`target scheme "${scheme}" is not redis, rediss or unix`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new TargetError(`target "${redact(raw)}" has no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new TargetError(`target "${redact(raw)}" has an invalid port`);
  const t: RedisTarget = {
    uri: `${scheme}://${url.host}`,
    host,
    port,
    tls: scheme === 'rediss',
  };
  if (url.username) t.user = decodeURIComponent(url.username);
  if (url.password) t.password = decodeURIComponent(url.password);
  return t;
}

/** The address with any password replaced, for logs and error labels. */
export function redact(address: string): string {
  return address.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:xxxxx@');
}
