// --is-cluster against a real 3-master Redis Cluster on loopback, with Debian's redis_exporter
// (the anchor, v1.45) scraping the same node: single-key checks give the same values as the
// anchor's, pattern checks, key counts and streams find keys on every master, the redis_cluster_*
// families match, and /discover-cluster-nodes lists every node. No shared stack needed
// (OKOME_E2E_NO_STACK=1).
import { Exporter, Options, redisCollector, silentLogger } from '@okome/exporters';
import type { FlagValue } from '@okome/exporters';
import { startCluster, type RedisCluster } from './cluster-support';
import { HOST, parseExposition, redisCli, startAnchor, type Proc } from './support';

const SESSIONS = Array.from({ length: 12 }, (_, i) => `session:${i}`);

async function workload(cl: RedisCluster): Promise<void> {
  for (const [i, k] of SESSIONS.entries()) await cl.cli('SET', k, `user-${i}`);
  await cl.cli('SET', 'counter', '42');
  await cl.cli('RPUSH', 'queue', 'a', 'b', 'c');
  await cl.cli('HSET', 'h', 'f1', '1', 'f2', '2');
  await cl.cli('PFADD', 'hll', 'a', 'b', 'c');
  for (let i = 1; i <= 4; i++) await cl.cli('XADD', 'orders', `${i}-0`, 'n', String(i));
  await cl.cli('XGROUP', 'CREATE', 'orders', 'billing', '0');
  await cl.cli('XREADGROUP', 'GROUP', 'billing', 'w1', 'COUNT', '3', 'STREAMS', 'orders', '>');
  for (let i = 1; i <= 2; i++) await cl.cli('XADD', 'events', `${i}-0`, 'e', String(i));
}

/** The port of the master that holds `key`, asked of the cluster itself (not of our code). */
async function ownerPort(cl: RedisCluster, key: string): Promise<number> {
  for (const p of cl.ports) if ((await redisCli(p, 'EXISTS', key)).startsWith(':1')) return p;
  throw new Error(`no node holds ${key}`);
}

async function ours(flags: Record<string, FlagValue>): Promise<Proc> {
  const collector = redisCollector.create(new Options(new Map(Object.entries(flags))), {
    logger: silentLogger,
  });
  const exporter = new Exporter({
    collectors: [collector],
    listen: { host: HOST, port: 0 },
    logger: silentLogger,
    collectorTimeoutMs: 10_000,
  });
  await exporter.start();
  return { port: exporter.address().port, url: exporter.url(), stop: () => exporter.stop() };
}

async function metrics(url: string) {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, parsed: parseExposition(text) };
}

/** Series of the given families, by full series text. */
function pick(samples: Map<string, number>, families: RegExp): Map<string, number> {
  return new Map([...samples].filter(([s]) => families.test(s.replace(/\{.*$/, ''))));
}

describe('redis_exporter --is-cluster on a real Redis Cluster', () => {
  let cl: RedisCluster;
  let seed: string;
  let anchor: Proc;
  let mine: Proc;
  const singles = ['counter', 'queue', 'h', 'hll', ...SESSIONS.slice(0, 6)].join(',');

  beforeAll(async () => {
    cl = await startCluster(3);
    await workload(cl);
    seed = `redis://${HOST}:${cl.ports[0]}`;
    anchor = await startAnchor(seed, ['-is-cluster', '-check-single-keys', singles]);
    mine = await ours({
      'redis.addr': seed,
      'is-cluster': true,
      'check-single-keys': singles,
      'check-keys': 'session:*',
      'count-keys': 'session:*',
      'check-single-streams': 'orders,events',
    });
  }, 60_000);
  afterAll(async () => {
    await mine?.stop();
    await anchor?.stop();
    await cl?.stop();
  });

  it('the fixture really spreads the keys over all three masters', async () => {
    const owners = new Set(await Promise.all(SESSIONS.map((k) => ownerPort(cl, k))));
    expect(owners.size).toBe(3);
  });

  it('single keys on every master: the same key_size/key_value series and values as the anchor', async () => {
    const [a, m] = await Promise.all([metrics(anchor.url), metrics(mine.url)]);
    const keyFamilies = /^redis_key_(size|value|value_as_string)$/;
    const want = pick(a.parsed.samples, keyFamilies);
    // Not vacuous: every single key came back from the anchor, from whichever master holds it.
    expect(want.get('redis_key_size{db="db0",key="queue"}')).toBe(3);
    expect(want.get('redis_key_value{db="db0",key="counter"}')).toBe(42);
    expect(want.get('redis_key_size{db="db0",key="hll"}')).toBe(3);
    const got = pick(m.parsed.samples, keyFamilies);
    for (const [series, v] of want) expect([series, got.get(series)]).toEqual([series, v]);
    expect(m.parsed.samples.get('redis_up')).toBe(1);
  });

  it('patterns and counts see the keys of every master, in db0', async () => {
    const { parsed } = await metrics(mine.url);
    for (const [i, k] of SESSIONS.entries())
      expect(
        parsed.samples.get(`redis_key_value_as_string{db="db0",key="${k}",val="user-${i}"}`),
      ).toBe(1);
    expect(parsed.samples.get('redis_keys_count{db="db0",key="session:*"}')).toBe(SESSIONS.length);
    expect(parsed.samples.get('redis_exporter_last_scrape_keys_truncated')).toBe(0);
    const typeLines = (await (await fetch(`${mine.url}/metrics`)).text())
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '));
    expect(new Set(typeLines).size).toBe(typeLines.length);
  });

  it('streams on other masters than the seed are read from their owner', async () => {
    const owners = new Set([await ownerPort(cl, 'orders'), await ownerPort(cl, 'events')]);
    const { parsed } = await metrics(mine.url);
    expect(parsed.samples.get('redis_stream_length{db="db0",stream="orders"}')).toBe(4);
    expect(parsed.samples.get('redis_stream_length{db="db0",stream="events"}')).toBe(2);
    expect(
      parsed.samples.get(
        'redis_stream_group_messages_pending{db="db0",group="billing",stream="orders"}',
      ),
    ).toBe(3);
    // At least one of the two streams is not on the seed, so routing was exercised.
    expect([...owners].some((p) => p !== cl.ports[0])).toBe(true);
  });

  it('redis_cluster_* families and static values equal the anchor', async () => {
    const [a, m] = await Promise.all([metrics(anchor.url), metrics(mine.url)]);
    const fams = [...a.parsed.types.keys()].filter((n) => n.startsWith('redis_cluster_'));
    expect(fams).toEqual(expect.arrayContaining(['redis_cluster_slots_assigned']));
    for (const f of fams) expect([f, m.parsed.types.get(f)]).toEqual([f, a.parsed.types.get(f)]);
    for (const s of [
      'redis_cluster_state',
      'redis_cluster_slots_assigned',
      'redis_cluster_slots_ok',
      'redis_cluster_known_nodes',
      'redis_cluster_size',
    ])
      expect([s, m.parsed.samples.get(s)]).toEqual([s, a.parsed.samples.get(s)]);
    expect(m.parsed.samples.get('redis_cluster_size')).toBe(3);
  });

  it('on a cluster node every anchor family is in ours with the same type and label names', async () => {
    const [a, m] = await Promise.all([metrics(anchor.url), metrics(mine.url)]);
    const problems: string[] = [];
    for (const [name, type] of a.parsed.types) {
      if (/^(go_|process_|promhttp_)/.test(name)) continue;
      const labels = (p: typeof a.parsed) => [...(p.labels.get(name) ?? [])].sort().join(',');
      if (m.parsed.types.get(name) !== type)
        problems.push(`${name}: ${m.parsed.types.get(name)} vs ${type}`);
      else if (labels(m.parsed) !== labels(a.parsed))
        problems.push(`${name}: {${labels(m.parsed)}} vs {${labels(a.parsed)}}`);
    }
    expect(problems).toEqual([]);
  });

  it('/scrape?target= of another node routes its per-request key checks too', async () => {
    const target = cl.ports[2]!;
    // A key that lives elsewhere, so asking the target itself could not answer it.
    let away = '';
    for (const k of SESSIONS) if ((await ownerPort(cl, k)) !== target) away = k;
    const res = await fetch(
      `${mine.url}/scrape?target=${encodeURIComponent(`redis://${HOST}:${target}`)}&check-single-keys=${away}`,
    );
    const { samples } = parseExposition(await res.text());
    expect(samples.get('redis_up')).toBe(1);
    const i = SESSIONS.indexOf(away);
    expect(samples.get(`redis_key_value_as_string{db="db0",key="${away}",val="user-${i}"}`)).toBe(
      1,
    );
  });

  it('/discover-cluster-nodes: an http_sd list of every node', async () => {
    const res = await fetch(`${mine.url}/discover-cluster-nodes`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { targets: string[]; labels: Record<string, string> }[];
    expect(body).toHaveLength(1);
    expect(body[0]!.labels).toEqual({});
    expect([...body[0]!.targets].sort()).toEqual(
      cl.ports.map((p) => `redis://${HOST}:${p}`).sort(),
    );
  });

  it('a master down costs its keys only: redis_up stays 1, the others are still read', async () => {
    const down = cl.ports.find((p) => p !== cl.ports[0])!;
    const lost = new Set<string>();
    for (const k of SESSIONS) if ((await ownerPort(cl, k)) === down) lost.add(k);
    await cl.stopNode(down);
    const { parsed } = await metrics(mine.url);
    expect(parsed.samples.get('redis_up')).toBe(1);
    for (const [i, k] of SESSIONS.entries()) {
      const v = parsed.samples.get(
        `redis_key_value_as_string{db="db0",key="${k}",val="user-${i}"}`,
      );
      expect([k, v]).toEqual([k, lost.has(k) ? undefined : 1]);
    }
    expect(lost.size).toBeGreaterThan(0);
  });
});
