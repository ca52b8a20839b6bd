// Which engine holds a GPU process. In order: the inventory's processMatch (or
// --gpu.engine-match), the process name, then — when a procfs is readable — its command line,
// its parents' names and command lines (Ollama's weights live in a llama-server child), and its
// cgroup (systemd unit or container name).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineKind } from '@okome/provisioning';

export interface EngineMatch {
  readonly engine: EngineKind;
  /** Case-insensitive substrings of the process name or command line. */
  readonly patterns: readonly string[];
}

/** Built-in rules, tried on names, command lines and cgroups (lower-cased). */
const RULES: readonly { engine: EngineKind; re: RegExp }[] = [
  { engine: 'vllm', re: /(^|[^a-z])vllm([^a-z]|$)|^vllm::/ },
  { engine: 'ollama', re: /ollama|llama-server|llama_server/ },
  { engine: 'tensorflow', re: /tensorflow|tf_serving|tf-serving|keras/ },
];

export type AttributionSource = 'override' | 'name' | 'cmdline' | 'parent' | 'cgroup';

export interface Attribution {
  readonly engine?: EngineKind;
  readonly via?: AttributionSource;
}

export interface ProcInfo {
  readonly comm?: string;
  readonly cmdline?: string;
  readonly ppid?: number;
  readonly cgroup?: string;
}

/** Reads /proc/<pid> (or a fixture tree) without throwing; absent files give undefined. */
export function readProc(procfs: string, pid: number): ProcInfo | undefined {
  const read = (f: string) => {
    try {
      return readFileSync(join(procfs, String(pid), f), 'utf8');
    } catch {
      return undefined;
    }
  };
  const stat = read('stat');
  if (stat === undefined) return undefined;
  // comm may contain spaces and parentheses: it ends at the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return {
    comm,
    cmdline: read('cmdline')?.replace(/\0+$/, '').replace(/\0/g, ' '),
    ppid: Number.isInteger(ppid) ? ppid : undefined,
    cgroup: read('cgroup'),
  };
}

function byRules(text: string | undefined): EngineKind | undefined {
  if (!text) return undefined;
  const t = text.toLowerCase();
  return RULES.find((r) => r.re.test(t))?.engine;
}

function byOverrides(
  text: string | undefined,
  overrides: readonly EngineMatch[],
): EngineKind | undefined {
  if (!text) return undefined;
  const t = text.toLowerCase();
  return overrides.find((o) => o.patterns.some((p) => p && t.includes(p.toLowerCase())))?.engine;
}

export interface AttributeOptions {
  readonly overrides: readonly EngineMatch[];
  /** procfs root, or undefined to use process names only (simulated nodes). */
  readonly procfs?: string;
  /** Parent levels to walk. */
  readonly maxDepth?: number;
}

export function attribute(pid: number, processName: string, opts: AttributeOptions): Attribution {
  const proc = opts.procfs ? readProc(opts.procfs, pid) : undefined;
  const override =
    byOverrides(processName, opts.overrides) ?? byOverrides(proc?.cmdline, opts.overrides);
  if (override) return { engine: override, via: 'override' };
  const named = byRules(processName);
  if (named) return { engine: named, via: 'name' };
  if (!proc || !opts.procfs) return {};
  const fromCmd = byRules(proc.cmdline) ?? byRules(proc.comm);
  if (fromCmd) return { engine: fromCmd, via: 'cmdline' };
  let parent = proc.ppid;
  for (let depth = 0; parent && parent > 1 && depth < (opts.maxDepth ?? 4); depth++) {
    const p = readProc(opts.procfs, parent);
    if (!p) break;
    const e = byOverrides(p.cmdline, opts.overrides) ?? byRules(p.comm) ?? byRules(p.cmdline);
    if (e) return { engine: e, via: 'parent' };
    parent = p.ppid;
  }
  const fromCgroup = byOverrides(proc.cgroup, opts.overrides) ?? byRules(proc.cgroup);
  if (fromCgroup) return { engine: fromCgroup, via: 'cgroup' };
  return {};
}
