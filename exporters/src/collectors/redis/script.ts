// --script: Lua files run with EVAL on every scrape, as redis_exporter. A script returns a flat
// list `{"name1", "value1", "name2", "value2", ...}`; each pair becomes
// redis_script_values{key="name1"}. As in redis_exporter, a script error or a value that is not a
// number fails the scrape (redis_up 0, the reason in redis_exporter_last_scrape_error), since a
// custom SLI that silently vanished would look like a healthy one. redis_script_result{filename}
// (1 ok, 0 error, 2 no values) is redis_exporter's newer per-file status.
import { readFileSync } from 'node:fs';
import type { MetricSink } from './exposition';
import { HELP } from './metric-map';
import { RespError, type RespClient, type RespValue } from './resp';

export interface LuaScript {
  filename: string;
  source: string;
}

/** Reads the comma-separated --script files once, at start; an unreadable file is a flag error. */
export function loadScripts(arg: string): LuaScript[] {
  return arg
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((filename) => {
      try {
        return { filename, source: readFileSync(filename, 'utf8') };
      } catch (err) {
        throw new Error(`--script ${filename}: ${(err as Error).message}`);
      }
    });
}

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

/** `[k1, v1, k2, v2]` → pairs; throws naming the script when the reply has another shape. */
export function scriptValues(filename: string, reply: RespValue): [string, number][] {
  if (reply instanceof RespError) throw new ScriptError(`script ${filename}: ${reply.message}`);
  if (reply === null) return [];
  if (!Array.isArray(reply) || reply.length % 2 !== 0)
    throw new ScriptError(
      `script ${filename}: expected an even list of name, value (got ${
        Array.isArray(reply) ? `${reply.length} items` : typeof reply
      })`,
    );
  const out: [string, number][] = [];
  for (let i = 0; i < reply.length; i += 2) {
    const key = reply[i];
    const raw = reply[i + 1];
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (
      typeof key !== 'string' ||
      (typeof raw === 'string' && raw.trim() === '') ||
      Number.isNaN(v)
    )
      throw new ScriptError(
        `script ${filename}: value of "${String(key)}" is not a number (${String(raw)})`,
      );
    out.push([key, v]);
  }
  return out;
}

export async function extractScriptMetrics(
  sink: MetricSink,
  c: RespClient,
  scripts: LuaScript[],
): Promise<void> {
  const seen = new Set<string>();
  for (const s of scripts) {
    const fl = { filename: s.filename };
    let values: [string, number][];
    try {
      values = scriptValues(s.filename, await c.send('EVAL', s.source, 0, 0));
    } catch (err) {
      sink.gauge('script_result', 0, fl, HELP.script_result);
      throw err;
    }
    sink.gauge('script_result', values.length ? 1 : 2, fl, HELP.script_result);
    for (const [key, v] of values) {
      // Two scripts naming the same key would make a duplicate series: the first one wins.
      if (seen.has(key)) continue;
      seen.add(key);
      sink.gauge('script_values', v, { key }, HELP.script_values);
    }
  }
}
