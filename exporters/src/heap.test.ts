// heap.ts sets process-wide V8 flags, so each case runs in its own node process on the built
// module (as the bin loads it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const HEAP = join(__dirname, '..', 'dist', 'heap.js');

/**
 * Loads heap.js, optionally tells it a collector with start() is enabled, then keeps allocating
 * with many survivors (what makes V8 grow the young generation) and prints the mode and the
 * young generation's size in MiB.
 */
function youngGenMiB(withTap: boolean, nodeFlags: string[] = []): { mode: string; mib: number } {
  const script = `
    const { fitHeapTo } = require(${JSON.stringify(HEAP)});
    const mode = fitHeapTo(${withTap ? '[{ name: "tap", collect() {}, start() {} }]' : '[]'});
    let keep = [];
    for (let round = 0; round < 60; round++) {
      const live = [];
      for (let i = 0; i < 20000; i++) live.push({ a: 'x' + i + round, b: [i] });
      keep = live;
    }
    const ns = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(JSON.stringify({ mode, mib: ns.space_size / 1048576, kept: keep.length }));
  `;
  const out = execFileSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { mode: string; mib: number };
}

describe('heap settings of the bin', () => {
  it("keeps a scrape-only exporter's young generation at (at most) 2 × 1 MiB", () => {
    const r = youngGenMiB(false);
    expect(r.mode).toBe('lean');
    expect(r.mib).toBeLessThanOrEqual(2); // V8 may even shrink it to one semi-space's worth
  });

  it("gives an exporter with a tap V8's growing young generation back", () => {
    const r = youngGenMiB(true);
    expect(r.mode).toBe('default');
    expect(r.mib).toBeGreaterThan(2);
  });

  it('leaves a setting the user gave node alone', () => {
    // Single-threaded GC: with concurrent GC threads on a busy machine, V8 sometimes shrinks the
    // young generation back after a mark-compact, whatever the growth factor.
    expect(
      youngGenMiB(false, ['--semi-space-growth-factor=2', '--single-threaded-gc']).mib,
    ).toBeGreaterThan(2);
  });

  it('tells whether node started with the young generation a tap wants (the bin warns when not)', () => {
    const size = (flags: string[]) =>
      Number(
        execFileSync(
          process.execPath,
          [
            ...flags,
            '-e',
            `process.stdout.write(String(require(${JSON.stringify(HEAP)}).youngGenerationMiB()))`,
          ],
          { encoding: 'utf8' },
        ),
      );
    expect(size([])).toBeLessThan(16);
    expect(size(['--min-semi-space-size=16'])).toBeGreaterThanOrEqual(16);
  });
});
