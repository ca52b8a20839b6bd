// A Tile38 stand-in on loopback for the --is-tile38 tests: Tile38 has no Debian package and there
// is no network here, so it answers with recorded replies (exporters/fixtures/tile38/README.md
// says where each comes from) what a redis_exporter scrape sends: PING, CLIENT SETNAME,
// CONFIG GET, INFO, SERVER [EXT]; everything else gets Tile38's unknown-command error, as the real
// server does for LATENCY and SLOWLOG. The replies follow Tile38's RESP output
// (internal/server/stats.go respValuesSimpleMap: key/value bulk strings, keys sorted).
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { encodeCommand, RespParser } from '../collectors/redis/resp';
import { fixture } from './fixtures';

export interface FakeTile38 {
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  /** Every command received, upper-cased name first (for tests that check what was asked). */
  readonly commands: string[][];
  close(): Promise<void>;
}

/** The fixture files the fake serves. */
export const TILE38_FIXTURES = {
  info: 'info.tile38-1.13.0.recorded.txt',
  server: 'server.tile38-1.19.5.recorded.json',
  serverExt: 'server-ext.tile38-1.19.5.json',
} as const;

/** `{key: value}` → the flat RESP array Tile38 sends, keys sorted. */
function simpleMap(m: Record<string, string>): Buffer {
  return encodeCommand(
    Object.keys(m)
      .sort()
      .flatMap((k) => [k, m[k]!]),
  );
}

/** The recorded JSON `SERVER` reply → Tile38's RESP strings (Go `%v`: numbers and booleans). */
function basicStats(): Record<string, string> {
  const json = JSON.parse(fixture('tile38', TILE38_FIXTURES.server)) as {
    stats: Record<string, string | number | boolean>;
  };
  return Object.fromEntries(Object.entries(json.stats).map(([k, v]) => [k, String(v)]));
}

/** config.go validProperties with their defaults (getProperty; maxmemory 0 prints as ""). */
const CONFIG: Record<string, string> = {
  autogc: '0',
  keepalive: '300',
  leaderauth: '',
  logconfig: '',
  maxmemory: '',
  'protected-mode': 'yes',
  'replica-priority': '',
  replica_announce_ip: '',
  replica_announce_port: '0',
  requirepass: '',
};

/** Tile38's glob (tidwall/match): `*` any run, `?` one character. */
function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

const bulk = (s: string): Buffer => Buffer.from(`$${Buffer.byteLength(s)}\r\n${s}\r\n`, 'utf8');
const err = (msg: string): Buffer => Buffer.from(`-ERR ${msg}\r\n`);

export function tile38Reply(args: string[], replies: ReturnType<typeof loadReplies>): Buffer {
  const [name = '', ...rest] = args;
  const sub = (rest[0] ?? '').toLowerCase();
  switch (name.toLowerCase()) {
    case 'ping':
      return rest.length ? bulk(rest[0]!) : Buffer.from('+PONG\r\n');
    case 'client':
      if (sub === 'setname' && rest.length === 2) return Buffer.from('+OK\r\n');
      return err(`unknown command '${name}'`);
    case 'config':
      if (sub !== 'get') return err(`unknown command '${name}'`);
      // Tile38 takes exactly one pattern (cmdConfigGet); its error names the outer command.
      if (rest.length !== 2) return err(`wrong number of arguments for 'config' command`);
      return simpleMap(
        Object.fromEntries(Object.entries(CONFIG).filter(([k]) => globMatch(rest[1]!, k))),
      );
    case 'info':
      return bulk(replies.info);
    case 'server':
      if (rest.length === 0) return simpleMap(replies.server);
      if (rest.length === 1 && sub === 'ext') return simpleMap(replies.serverExt);
      return err(`invalid argument '${rest.find((a) => a.toLowerCase() !== 'ext') ?? rest[0]}'`);
    default:
      return err(`unknown command '${name}'`);
  }
}

export function loadReplies() {
  return {
    info: fixture('tile38', TILE38_FIXTURES.info),
    server: basicStats(),
    serverExt: JSON.parse(fixture('tile38', TILE38_FIXTURES.serverExt)) as Record<string, string>,
  };
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeTile38(): Promise<FakeTile38> {
  const replies = loadReplies();
  const commands: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const parser = new RespParser();
    socket.on('data', (chunk: Buffer) => {
      let requests;
      try {
        requests = parser.feed(chunk);
      } catch {
        socket.end(err('Protocol error'));
        return;
      }
      for (const r of requests) {
        const args = Array.isArray(r) ? r.map((a) => String(a)) : [];
        commands.push([(args[0] ?? '').toUpperCase(), ...args.slice(1)]);
        socket.write(tile38Reply(args, replies));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
