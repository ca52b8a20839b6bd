import { CommandBuffer, encodeCommand, RespClient, RespError, RespParser } from './resp';
import { startRedis, type RedisServer } from './test-support';

describe('RESP parser', () => {
  it('parses every RESP2 type, including replies split across chunks', () => {
    const p = new RespParser();
    const wire = Buffer.from(
      '+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n',
    );
    const out = [];
    for (let i = 0; i < wire.length; i += 3) out.push(...p.feed(wire.subarray(i, i + 3)));
    expect(out.slice(0, 1)).toEqual(['OK']);
    expect(out[1]).toBeInstanceOf(RespError);
    expect((out[1] as RespError).message).toBe('ERR bad');
    expect(out.slice(2)).toEqual([42, 'hello', null, ['a', 1]]);
  });

  it('gives the same replies however a long pipeline is cut into chunks', () => {
    const long = 'v'.repeat(1234);
    const wire = Buffer.from(
      `*3\r\n$${long.length}\r\n${long}\r\n:-42\r\n*-1\r\n:1234567890123\r\n$4\r\nclé\r\n+string\r\n$-1\r\n*0\r\n`,
    );
    const want = [[long, -42, null], 1234567890123, 'clé', 'string', null, []];
    for (const size of [1, 2, 5, 7, 64, wire.length]) {
      const p = new RespParser();
      const got = [];
      for (let i = 0; i < wire.length; i += size) got.push(...p.feed(wire.subarray(i, i + size)));
      expect(got).toEqual(want);
    }
  });

  it('encodes commands as arrays of bulk strings with byte lengths', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n',
    );
  });

  it('writes a pipeline larger than its first buffer byte for byte, then starts empty', () => {
    const w = new CommandBuffer();
    let expected = '';
    for (let i = 0; i < 2000; i++) {
      const key = i % 7 ? `key:${i}` : `clé:${i}:ü`;
      w.add(['MEMORY', 'USAGE', key, i]);
      const n = String(i);
      expected += `*4\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$${n.length}\r\n${n}\r\n`;
    }
    const first = w.take();
    expect(first.toString('utf8')).toBe(expected);
    expect(w.length).toBe(0);
    w.add(['PING']);
    expect(w.take().toString()).toBe('*1\r\n$4\r\nPING\r\n');
    expect(first.toString('utf8')).toBe(expected); // still intact after the next writes
  });

  it('rejects an unknown type byte', () => {
    expect(() => new RespParser().feed(Buffer.from('?x\r\n'))).toThrow(/unexpected type byte/);
  });
});

describe('RESP client against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(['--requirepass', 's3cret']);
  });
  afterAll(() => redis.stop());

  it('authenticates, pipelines, and returns error replies as values', async () => {
    const c = await RespClient.connect({ host: redis.host, port: redis.port, password: 's3cret' });
    try {
      const replies = await Promise.all([
        c.send('SET', 'a', '1'),
        c.send('INCR', 'a'),
        c.send('GET', 'a'),
        c.send('INCRBY', 'a', 'x'),
      ]);
      expect(replies.slice(0, 3)).toEqual(['OK', 2, '2']);
      expect(replies[3]).toBeInstanceOf(RespError);
      await expect(c.call('INCRBY', 'a', 'x')).rejects.toThrow(/not an integer/);
    } finally {
      c.close();
    }
  });

  it('sendNow: written with the commands queued before it, replies in order with later ones', async () => {
    const c = await RespClient.connect({ host: redis.host, port: redis.port, password: 's3cret' });
    try {
      const set = c.send('SET', 'n', '5');
      const get = c.sendNow('GET', 'n');
      const later = c.send('INCR', 'n');
      expect(await get).toBe('5');
      expect(await Promise.all([set, later])).toEqual(['OK', 6]);
      expect(await c.sendNow('GET', 'n')).toBe('6');
    } finally {
      c.close();
    }
  });

  it('batch: thousands of commands in one pipeline, replies in order, mixed with send', async () => {
    const c = await RespClient.connect({ host: redis.host, port: redis.port, password: 's3cret' });
    try {
      const n = 5000;
      const sets = c.batch(Array.from({ length: n }, (_, i) => ['SET', `b:${i}`, String(i)]));
      const single = c.send('DBSIZE');
      const gets = c.batch([
        ...Array.from({ length: n }, (_, i) => ['GET', `b:${i}`]),
        ['INCRBY', 'b:0', 'x'],
      ]);
      expect((await sets).every((r) => r === 'OK')).toBe(true);
      expect(await single).toBeGreaterThanOrEqual(n);
      const got = await gets;
      expect(got.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      expect(got[n]).toBeInstanceOf(RespError);
      expect(await c.batch([])).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('fails the connection with the server message on a wrong password', async () => {
    await expect(
      RespClient.connect({ host: redis.host, port: redis.port, password: 'nope' }),
    ).rejects.toThrow(/WRONGPASS|invalid password/);
  });

  it('names the address when nothing listens there', async () => {
    await expect(
      RespClient.connect({ host: '127.0.0.1', port: 1, timeoutMs: 1000 }),
    ).rejects.toThrow(/dial 127\.0\.0\.1:1/);
  });
});
