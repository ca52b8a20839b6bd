// Cluster pieces that need no cluster (slots, CLUSTER NODES/SLOTS parsing, the endpoints' answers
// without --is-cluster) and /-/reload against a real password-protected redis-server. The real
// 3-master cluster is in test/exporters-redis/cluster.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc16, keySlot, parseClusterNodes, parseClusterSlots } from './cluster';
import { RedisExporter } from './exporter';
import { redisOptionsFromFlags } from './options';
import { RespError } from './resp';
import { startRedis, type RedisServer } from './test-support';

describe('key slots', () => {
  it('uses CRC16/XModem mod 16384, hashing only a non-empty {tag}', () => {
    // The check value of CRC16/XModem and the examples of the Redis Cluster specification.
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  });
});

describe('CLUSTER NODES and CLUSTER SLOTS', () => {
  const NODES = [
    '07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,cache-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected',
    '67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922',
    'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001,cache-1 myself,master - 0 0 1 connected 0-5460',
    '6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 master,fail,noaddr - 1426238316232 1426238315000 5 disconnected',
    '',
  ].join('\n');

  it('lists every node with an address, in order, IPs or announced hostnames', () => {
    expect(parseClusterNodes(NODES)).toEqual([
      '127.0.0.1:30004',
      '127.0.0.1:30002',
      '127.0.0.1:30001',
    ]);
    expect(parseClusterNodes(NODES, true)).toEqual([
      'cache-4:30004',
      '127.0.0.1:30002',
      'cache-1:30001',
    ]);
  });

  it('maps slot ranges to masters; an unknown address is the answering node', () => {
    const slots = parseClusterSlots(
      [
        [5461, 10922, ['127.0.0.1', 30002, 'id2'], ['127.0.0.1', 30005, 'id5']],
        [0, 5460, ['', 30001, 'id1']],
        [10923, 16383, ['?', 30003, 'id3']],
      ],
      '10.0.0.9',
    );
    expect(slots).toEqual([
      { start: 0, end: 5460, node: '10.0.0.9:30001' },
      { start: 5461, end: 10922, node: '127.0.0.1:30002' },
      { start: 10923, end: 16383, node: '10.0.0.9:30003' },
    ]);
    expect(() => parseClusterSlots('ERR', 'x')).toThrow(/CLUSTER SLOTS/);
    expect(() =>
      parseClusterSlots(new RespError('ERR This instance has cluster support disabled'), 'x'),
    ).toThrow('CLUSTER SLOTS: ERR This instance has cluster support disabled');
  });
});

describe('/discover-cluster-nodes and /-/reload without a cluster', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis(['--requirepass', 'right']);
    dir = mkdtempSync(join(tmpdir(), 'okome-redis-reload-'));
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovery needs --is-cluster (400, the anchor text); a plain node fails with 500', async () => {
    const plain = new RedisExporter(redisOptionsFromFlags({ 'redis.addr': redis.url }));
    const r = await plain.discover();
    expect(r.status).toBe(400);
    expect(r.body).toBe('The discovery endpoint is only available on a redis cluster\n');
    const cluster = new RedisExporter(
      redisOptionsFromFlags({
        'redis.addr': redis.url,
        'redis.password': 'right',
        'is-cluster': true,
      }),
    );
    const c = await cluster.discover();
    expect(c.status).toBe(500);
    expect(c.body).toMatch(/^Failed to fetch cluster nodes: .*cluster support disabled/);
  });

  it('/-/reload re-reads --redis.password-file; a broken file keeps the old passwords', async () => {
    const file = join(dir, 'pw.json');
    writeFileSync(file, JSON.stringify({ [redis.url]: 'wrong' }));
    const e = new RedisExporter(
      redisOptionsFromFlags({ 'redis.addr': redis.url, 'redis.password-file': file }),
    );
    const up = (text: string) => /^redis_up (\d)$/m.exec(text)?.[1];
    expect(up(await e.collect())).toBe('0');

    writeFileSync(file, JSON.stringify({ [redis.url]: 'right' }));
    expect(e.reload()).toMatchObject({ status: 200, body: 'ok' });
    expect(up(await e.collect())).toBe('1');

    writeFileSync(file, '{not json');
    const bad = e.reload();
    expect(bad.status).toBe(500);
    expect(bad.body).toMatch(/^failed to reload passwords file: --redis.password-file .*not JSON/);
    expect(up(await e.collect())).toBe('1');

    const none = new RedisExporter(redisOptionsFromFlags({ 'redis.addr': redis.url }));
    expect(none.reload()).toMatchObject({ status: 400, body: 'There is no pwd file specified\n' });
  });
});
