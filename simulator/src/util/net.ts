// Address rules: the simulator and its load generator never leave 127.0.0.0/8.
import { isLoopback } from '@okome/provisioning';

/** When not root, a port below 1024 is served on port + 8000 (DESIGN.md §8, issue 4). */
export function effectivePort(port: number, isRoot: boolean): number {
  return !isRoot && port < 1024 ? port + 8000 : port;
}

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Throws unless the URL points at a loopback host. */
export function assertLoopbackUrl(url: string, what = 'target'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what}: not a URL: ${url}`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!isLoopback(host))
    throw new Error(`${what}: ${parsed.host} is not on loopback (127.0.0.0/8 only)`);
  return parsed;
}

/** `127.0.0.1:9800` → {host, port}; throws naming the flag on bad input. */
export function parseListen(text: string, flag: string): { host: string; port: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  if (!m) throw new Error(`${flag}: expected HOST:PORT on loopback, got "${text}"`);
  const host = m[1] as string;
  const port = Number(m[2]);
  if (!isLoopback(host)) throw new Error(`${flag}: ${host} is not a loopback address`);
  if (port < 1 || port > 65535) throw new Error(`${flag}: port ${port} out of range`);
  return { host, port };
}
