// --is-tile38 next to Debian's redis_exporter v1.45 (the anchor, `-is-tile38`): both scrape the
// fake Tile38 (exporters/src/test-support/fake-tile38.ts), which answers with Tile38 replies
// recorded from public sources (exporters/fixtures/tile38/README.md) — Tile38 has no Debian
// package and there is no network here. Every redis_tile38_* family of the anchor must exist in
// ours with the same type, label names and value (the replies are fixed, so every value is
// static), and the rest of the scrape must have the anchor's shape too. No shared stack needed
// (OKOME_E2E_NO_STACK=1).
import { startFakeTile38, type FakeTile38 } from '../../exporters/src/test-support/fake-tile38';
import {
  ANCHOR_BIN,
  compareShape,
  ours,
  scrape,
  startAnchor,
  type ParsedExposition,
  type Proc,
} from './support';

/** The families of one prefix with their series and values. */
function family(p: ParsedExposition, prefix: string): Record<string, number> {
  return Object.fromEntries([...p.samples].filter(([s]) => s.startsWith(prefix)));
}

describe(`--is-tile38 compatibility (anchor: ${ANCHOR_BIN} -is-tile38, fake Tile38)`, () => {
  let tile38: FakeTile38;
  let anchor: Proc;
  let mine: { url: string; stop: () => Promise<void> };

  beforeAll(async () => {
    tile38 = await startFakeTile38();
    anchor = await startAnchor(tile38.url, ['-is-tile38']);
    mine = await ours({ 'redis.addr': tile38.url, 'is-tile38': true });
  }, 30_000);
  afterAll(async () => {
    await mine?.stop();
    await anchor?.stop();
    await tile38?.close();
  });

  for (const [what, path] of [
    ['/metrics', '/metrics'],
    ['/scrape?target=', '/scrape?target='],
  ] as const) {
    it(`${what}: every redis_tile38_* family of the anchor, same type, labels and value`, async () => {
      const q = path === '/metrics' ? path : `${path}${encodeURIComponent(tile38.url)}`;
      const [a, m] = await Promise.all([scrape(`${anchor.url}${q}`), scrape(`${mine.url}${q}`)]);
      expect([a.status, m.status]).toEqual([200, 200]);
      expect(a.parsed.samples.get('redis_up')).toBe(1);
      expect(m.parsed.samples.get('redis_up')).toBe(1);
      const names = [...a.parsed.types.keys()].filter((n) => n.startsWith('redis_tile38_'));
      // The anchor really read SERVER EXT: all 19 of its Tile38 names are in the fixture.
      expect(names).toHaveLength(19);
      for (const n of names) {
        expect([n, m.parsed.types.get(n)]).toEqual([n, a.parsed.types.get(n)]);
        expect([n, [...(m.parsed.labels.get(n) ?? [])]]).toEqual([
          n,
          [...(a.parsed.labels.get(n) ?? [])],
        ]);
      }
      expect(family(m.parsed, 'redis_tile38_')).toEqual(family(a.parsed, 'redis_tile38_'));
    });
  }

  it('the rest of the scrape of a Tile38 has the anchor shape, with the same INFO values', async () => {
    const [a, m] = await Promise.all([
      scrape(`${anchor.url}/metrics`),
      scrape(`${mine.url}/metrics`),
    ]);
    expect(a.parsed.types.size).toBeGreaterThan(40);
    expect(compareShape(a.parsed, m.parsed)).toEqual([]);
    for (const s of [
      'redis_memory_used_bytes',
      'redis_aof_enabled',
      'redis_connected_slaves',
      'redis_connected_clients',
      'redis_cluster_enabled',
    ])
      expect([s, m.parsed.samples.get(s)]).toEqual([s, a.parsed.samples.get(s)]);
  });

  it('without the flag neither exporter asks SERVER EXT nor exports redis_tile38_*', async () => {
    const plainAnchor = await startAnchor(tile38.url);
    const plainMine = await ours({ 'redis.addr': tile38.url });
    try {
      const before = tile38.commands.length;
      const [a, m] = await Promise.all([
        scrape(`${plainAnchor.url}/metrics`),
        scrape(`${plainMine.url}/metrics`),
      ]);
      expect(Object.keys(family(a.parsed, 'redis_tile38_'))).toEqual([]);
      expect(Object.keys(family(m.parsed, 'redis_tile38_'))).toEqual([]);
      expect(tile38.commands.slice(before).filter((c) => c[0] === 'SERVER')).toEqual([]);
    } finally {
      await plainMine.stop();
      await plainAnchor.stop();
    }
  });
});
