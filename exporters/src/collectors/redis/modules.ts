// --include-modules-metrics: INFO MODULES → redis_module_info and the modules' own INFO fields,
// as redis_exporter's extractModulesMetrics (exporter/modules.go). INFO ALL leaves out the
// sections modules add (`# search_*`, `# bf_*`, …); INFO MODULES carries them after `# Modules`.
import type { MetricSink } from './exposition';
import { emitIncluded } from './info';

export interface ModuleInfo {
  name: string;
  ver: string;
  api: string;
  filters: string;
  usedby: string;
  using: string;
}

/** The text after `=` of one `key=value` part; '' without `=` (Go's SplitN(s, "=", 2)). */
function valueOf(part: string): string {
  const i = part.indexOf('=');
  return i < 0 ? '' : part.slice(i + 1);
}

/**
 * `name=search,ver=21005,api=1,filters=0,usedby=[],using=[ReJSON],options=[handle-io-errors]`
 * → labels. Like the anchor it takes the parts by position and only a line of exactly seven
 * comma-separated parts (Redis ≥ 6.2 prints `options=`); anything else is not a module line.
 * Lists inside `[]` are `|`-separated, so a comma never splits them.
 */
export function parseModuleLine(value: string): ModuleInfo | undefined {
  const p = value.split(',');
  if (p.length !== 7) return undefined;
  return {
    name: valueOf(p[0]!),
    ver: valueOf(p[1]!),
    api: valueOf(p[2]!),
    filters: valueOf(p[3]!),
    usedby: valueOf(p[4]!),
    using: valueOf(p[5]!),
  };
}

/**
 * Walks INFO MODULES: `module:` lines become redis_module_info, every other field goes through
 * the same name tables as INFO ALL (search_* → redis_search_*, bf_*, json_*); unknown fields are
 * skipped. As in modules.go a line must split on `:` into exactly two parts, so values holding a
 * colon are skipped. Redis ends lines with \r\n; a bare \n (a pasted recording) is taken too.
 */
export function extractModulesMetrics(sink: MetricSink, info: string): ModuleInfo[] {
  const modules: ModuleInfo[] = [];
  for (const line of info.split(/\r?\n/)) {
    const parts = line.split(':');
    if (parts.length !== 2) continue;
    const [key, value] = parts as [string, string];
    if (key === 'module') {
      const m = parseModuleLine(value);
      if (m) {
        modules.push(m);
        sink.gauge('module_info', 1, { ...m }, 'Information about loaded Redis module');
      }
      continue;
    }
    emitIncluded(sink, key, value);
  }
  return modules;
}
