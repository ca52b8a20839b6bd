import { parseMix, pickKind } from './mix';
import { percentile, summarize } from './stats';

describe('parseMix', () => {
  it('normalises weights', () => {
    expect(parseMix('chat:0.7,cached:0.3')).toEqual([
      { kind: 'chat', weight: 0.7 },
      { kind: 'cached', weight: 0.3 },
    ]);
    expect(parseMix('chat:3,generate:1')[1]?.weight).toBeCloseTo(0.25);
  });

  it.each([
    ['', /empty/],
    ['chat:0.5,tea:0.5', /unknown kind "tea"/],
    ['chat:-1', /weight of "chat"/],
    ['chat:0', /add up to 0/],
    ['chat:1,chat:2', /given twice/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseMix(text)).toThrow(msg);
  });

  it('picks kinds in proportion to their weights', () => {
    const mix = parseMix('chat:0.7,cached:0.3');
    expect(pickKind(mix, 0.69)).toBe('chat');
    expect(pickKind(mix, 0.71)).toBe('cached');
    expect(pickKind(mix, 0.9999)).toBe('cached');
  });
});

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, p50: 2, max: 3, mean: 2 });
    expect(Number.isNaN(summarize([]).p99)).toBe(true);
  });
});
