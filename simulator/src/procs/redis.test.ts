import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './child';
import { RedisProcess } from './redis';
import { RespClient, encodeCommand, parseReply } from './resp';

describe('RESP parsing', () => {
  it('parses every reply type and waits for partial replies', () => {
    expect(parseReply(Buffer.from('+PONG\r\n'))?.value).toBe('PONG');
    expect(parseReply(Buffer.from(':42\r\n'))?.value).toBe(42);
    expect(parseReply(Buffer.from('$-1\r\n'))?.value).toBeNull();
    expect(parseReply(Buffer.from('$5\r\nhel'))).toBeUndefined();
    expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:1\r\n'))?.value).toEqual(['a', 1]);
    expect(String(parseReply(Buffer.from('-ERR wrong\r\n'))?.value)).toContain('ERR wrong');
    expect(encodeCommand(['SET', 'k', 'é'])).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });
});

/** A free port on an address of our own, so parallel runs do not collide. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('RedisProcess (real redis-server)', () => {
  const binary = findExecutable('redis-server');
  const host = '127.0.213.7';
  let dir: string;
  beforeAll(() => {
    if (!binary)
      throw new Error('redis-server is required for this test (Debian package redis-server)');
    dir = mkdtempSync(join(tmpdir(), 'okome-redis-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on the node address, stops (refused), and starts again', async () => {
    const port = await freePort(host);
    const redis = new RedisProcess({ nodeId: 'T', host, port, dir, binary: binary as string });
    const client = new RespClient(host, port, 500);
    try {
      await redis.start();
      expect(redis.state).toBe('running');
      expect(await client.command('SET', 'k', 'v')).toBe('OK');
      expect(await client.command('GET', 'k')).toBe('v');
      await redis.stop();
      expect(redis.state).toBe('stopped');
      await expect(client.command('PING')).rejects.toThrow();
      await redis.start();
      expect(await client.command('PING')).toBe('PONG');
      // No persistence: a restarted cache node comes back empty, like a real one would.
      expect(await client.command('GET', 'k')).toBeNull();
    } finally {
      client.close();
      await redis.stop();
    }
  });

  it('hangs instead of refusing while paused, and answers after resume', async () => {
    const port = await freePort(host);
    const redis = new RedisProcess({ nodeId: 'T', host, port, dir, binary: binary as string });
    const client = new RespClient(host, port, 200);
    try {
      await redis.start();
      redis.pause();
      await expect(client.command('PING')).rejects.toThrow(/did not answer within 200 ms/);
      redis.resume();
      expect(await client.command('PING')).toBe('PONG');
    } finally {
      client.close();
      await redis.stop();
    }
  });

  it('reports a port in use with the address and the reason', async () => {
    const port = await freePort(host);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(port, host, r));
    const redis = new RedisProcess({ nodeId: 'T', host, port, dir, binary: binary as string });
    try {
      await expect(redis.start(3000)).rejects.toThrow(
        new RegExp(`redis-server for T on ${host.replace(/\./g, '\\.')}:${port} exited`),
      );
    } finally {
      await redis.stop();
      blocker.close();
    }
  });
});
