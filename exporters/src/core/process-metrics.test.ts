import { execFileSync } from 'node:child_process';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopDelay, ProcessMetrics, readProcStatus } from './process-metrics';

/** `name type` for every TYPE line. */
function families(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.slice('# TYPE '.length));
}

function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no sample ${name}`);
  return Number(m[1]);
}

describe('ProcessMetrics', () => {
  let pm: ProcessMetrics;
  beforeEach(() => (pm = new ProcessMetrics()));
  afterEach(() => pm.stop());

  it("has prom-client's default families with the same types (minus its non-counter *_total gauges)", async () => {
    const reg = new Registry();
    collectDefaultMetrics({ register: reg });
    const theirs = families(await reg.metrics()).filter(
      (f) => !/^nodejs_active_\w+_total gauge$/.test(f),
    );
    expect(families(pm.render()).sort()).toEqual(theirs.sort());
  });

  it('passes promtool check metrics and reports this process', async () => {
    // Some garbage, so the young generation is collected at least once before the render.
    let keep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) keep = [{ i }, keep.length > 1000 ? [] : keep];
    pm.probeLag();
    await new Promise((r) => setTimeout(r, 20));
    const text = pm.render();
    expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })).toBe(
      '',
    );
    const rss = sample(text, 'process_resident_memory_bytes');
    expect(rss).toBeGreaterThan(process.memoryUsage().rss / 2);
    expect(rss).toBeLessThan(process.memoryUsage().rss * 2);
    expect(sample(text, 'process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sample(text, 'process_open_fds')).toBeGreaterThan(2);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_gc_duration_seconds_count\{kind="minor"\} [1-9]\d*$/m);
    expect(text).toContain(`nodejs_version_info{version="${process.version}",`);
  });
});

describe('readProcStatus', () => {
  it('reads VmRSS, VmSize and VmData in bytes, undefined when one is missing', () => {
    const status =
      'Name:\tnode\nVmSize:\t  1000 kB\nVmData:\t   20 kB\nVmRSS:\t     3 kB\nThreads:\t7\n';
    expect(readProcStatus(status)).toEqual({ rss: 3072, vsize: 1024000, data: 20480 });
    expect(readProcStatus('Name:\tnode\nVmSize:\t1 kB\n')).toBeUndefined();
  });
});

describe('EventLoopDelay', () => {
  it('gives exact min, max, mean and stddev, percentiles within 2 %, NaN when empty', () => {
    const d = new EventLoopDelay();
    for (let ms = 1; ms <= 100; ms++) d.record(ms * 1e6);
    const s = d.stats();
    expect(s.min).toBe(1e6);
    expect(s.max).toBe(100e6);
    expect(s.mean).toBeCloseTo(50.5e6, 0);
    expect(s.stddev / 1e6).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 6);
    for (const [q, v] of s.p) {
      expect(v).toBeGreaterThanOrEqual(q * 1e6);
      expect(v).toBeLessThanOrEqual(q * 1e6 * 1.02);
    }
    d.reset();
    const empty = d.stats();
    expect([empty.min, empty.max, empty.mean, empty.stddev, empty.p.get(50)]).toEqual([
      NaN,
      NaN,
      NaN,
      NaN,
      NaN,
    ]);
  });
});
