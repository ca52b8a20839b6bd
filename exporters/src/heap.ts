// V8 settings of the okome-exporter process, applied by the bin itself: cli.ts imports this
// module first, so `okome-exporter`, `node exporters/dist/cli.js` and the local stack all run
// with them (no NODE_OPTIONS or shebang needed). Only flags V8 reads while running are used.
//
// A scrape-only exporter (Redis, GPU, probes: it works when Prometheus asks, then idles) runs
// "lean", which `bench/redis.mjs` measures (README "Benchmarks"):
// - `--semi-space-growth-factor=1`: the young generation stays at its first 2 × 1 MiB. V8 grows
//   it up to 2 × 16 MiB once enough bytes survive scavenges, and a scrape keeps its data alive
//   across several (INFO text, --check-keys replies, the exposition): +30 MiB of RSS after a
//   few back-to-back scrapes, never given back while scrapes keep coming.
// - `--optimize-for-size`: V8 favours memory over speed, e.g. it runs the next mark-compact
//   sooner instead of letting the old generation grow to several times its live size.
// - `--no-turbofan`: no optimizing compiler. Its compile threads keep their malloc arenas and
//   its code pages stay resident: ~8 MiB of RSS for a process whose JavaScript runs a few ms per
//   scrape. Interpreter + Sparkplug baseline code serve a plain scrape as fast; a --check-keys
//   scrape of 1,111 keys takes ~1.4× longer (still far below redis_exporter's, which sends its
//   key commands one round trip at a time). Re-measured 2026-11-26 with a lighter exporter:
//   every TurboFan variant settable at run time (one compile job at a time, a smaller
//   optimization budget or bytecode limit, no inlining) still took a --check-keys exporter to a
//   65–74 MiB peak; TurboFan's own code pages in the node binary alone are ~4 MiB of it.
// An exporter with a tap (token latency, Ollama) moves bytes all the time: fitHeapTo() gives it
// V8's defaults back once the collectors are known. A flag the user gave node (NODE_OPTIONS or
// the command line) for one of these settings wins over this module.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import type { Collector } from './core/collector';

/** Lean flag → V8's default for it. */
export const LEAN_FLAGS: ReadonlyMap<string, string> = new Map([
  ['--semi-space-growth-factor=1', '--semi-space-growth-factor=2'],
  ['--optimize-for-size', '--no-optimize-for-size'],
  ['--no-turbofan', '--turbofan'],
]);

const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;

/** True when the user set this setting (any spelling) on node's command line or NODE_OPTIONS. */
function userSet(flag: string): boolean {
  const setting = flag.replace(/^--(no-)?/, '').replace(/=.*$/, '');
  return new RegExp(`--(no-)?${setting.replace(/-/g, '[-_]')}\\b`).test(given);
}

let lean = false;

function apply(flags: Iterable<string>): void {
  for (const f of flags) if (!userSet(f)) setFlagsFromString(f);
}

/** Before anything else is loaded: start lean, so module loading does not grow the heap. */
apply(LEAN_FLAGS.keys());
lean = true;

/** A collector with start() opens listeners (a tap) and keeps bytes flowing between scrapes. */
export function fitHeapTo(collectors: readonly Collector[]): 'lean' | 'default' {
  if (lean && collectors.some((c) => c.start)) {
    apply(LEAN_FLAGS.values());
    lean = false;
  }
  return lean ? 'lean' : 'default';
}

/** The young generation a tap wants from the start (TAP_NODE_FLAGS of @okome/provisioning). */
export const TAP_YOUNG_GENERATION_MIB = 16;

/**
 * MiB per semi-space V8 reserved for the young generation when node started: only a launch flag
 * (--min-semi-space-size) sets it, so a tap exporter started without one can only say so.
 */
export function youngGenerationMiB(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? space.space_size / 1048576 : 0;
}
