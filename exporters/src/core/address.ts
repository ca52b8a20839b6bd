import { FlagError } from './flags';

export interface ListenAddress {
  /** Undefined: every interface (`:9464`). */
  readonly host?: string;
  readonly port: number;
}

/** `host:port`, `:port` or `[v6]:port` → parts; a clear error otherwise. */
export function parseListenAddress(text: string, flag = 'listen address'): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new FlagError(`${flag}: "${text}" is not host:port (e.g. 127.0.0.1:9464 or :9464)`);
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
