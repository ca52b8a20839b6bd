// Drill scenario files (controller/drills/*.yaml) → validated Scenario values. Every problem is
// collected and reported with file:line:col and the dotted path, like the inventory loader.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { DRILL_SCENARIOS } from '@okome/provisioning';
import { parseDuration } from '../duration';
import { ConfigError } from '../errors';
import type { ExpectedAlert, ExpectedRouting, MethodStep, ProbeSpec, Scenario } from './types';

export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export class ScenarioError extends ConfigError {
  constructor(readonly problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.col} ${p.path}: ${p.message}`;
}

const FAULT_KINDS = ['down', 'slow', 'latency', 'gpu-oom', 'gpu-xid', 'redis-down', 'partition'];
const OUT_STATES = ['drain', 'disabled'] as const;

export const DEFAULT_BUDGET_QUERY =
  'min(slo:period_error_budget_remaining:ratio{slo="token-path-availability"})';
export const DEFAULT_CLIENT_ERRORS = {
  failures: 'llm_request_failures_total{hop="ingress"}',
  requests: 'llm_requests_total{hop="ingress"}',
};

type Path = (string | number)[];

/** A cursor over the parsed data that records problems at the YAML node's position. */
class Reader {
  readonly problems: ScenarioProblem[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  problem(path: Path, message: string, atKey = false): void {
    let node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (atKey || !node?.range) {
      const parent = this.doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (i) => (i.key as { value?: unknown })?.value === path[path.length - 1],
        );
        node = (pair?.key as typeof node) ?? node;
      }
    }
    let back = path.length;
    while (!node?.range && back > 0)
      node = this.doc.getIn(path.slice(0, --back), true) as typeof node;
    const pos = this.lines.linePos(node?.range?.[0] ?? 0);
    this.problems.push({
      file: this.file,
      line: pos.line,
      col: pos.col,
      path: path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '['),
      message,
    });
  }

  obj(v: unknown, path: Path, allowed: string[]): Record<string, unknown> | undefined {
    if (v === undefined) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.problem(path, `expected a mapping, got ${JSON.stringify(v)}`);
      return undefined;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        this.problem(
          [...path, k],
          `unknown field "${k}" (expected one of ${allowed.join(', ')})`,
          true,
        );
    return o;
  }

  str(o: Record<string, unknown> | undefined, key: string, path: Path, def?: string): string {
    const v = o?.[key];
    if (v === undefined) {
      if (def === undefined) this.problem([...path, key], 'required field is missing');
      return def ?? '';
    }
    if (typeof v !== 'string' || !v.trim()) {
      this.problem([...path, key], `expected a non-empty string, got ${JSON.stringify(v)}`);
      return def ?? '';
    }
    return v;
  }

  num(
    o: Record<string, unknown> | undefined,
    key: string,
    path: Path,
    def: number | undefined,
    min = -Infinity,
    max = Infinity,
  ): number | undefined {
    const v = o?.[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.problem(
        [...path, key],
        `expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`,
      );
      return def;
    }
    return v;
  }

  bool(o: Record<string, unknown> | undefined, key: string, path: Path, def: boolean): boolean {
    const v = o?.[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') {
      this.problem([...path, key], `expected true or false, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }

  dur(o: Record<string, unknown> | undefined, key: string, path: Path, def: string): number {
    const v = o?.[key] ?? def;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined) {
      this.problem(
        [...path, key],
        `not a duration: ${JSON.stringify(v)} (expected e.g. 500ms, 30s, 2m)`,
      );
      return parseDuration(def) as number;
    }
    return ms;
  }

  strList(o: Record<string, unknown> | undefined, key: string, path: Path): string[] {
    const v = o?.[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.problem([...path, key], `expected a list of strings, got ${JSON.stringify(v)}`);
      return [];
    }
    return v as string[];
  }

  list(o: Record<string, unknown> | undefined, key: string, path: Path): unknown[] {
    const v = o?.[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.problem([...path, key], `expected a list, got ${JSON.stringify(v)}`);
      return [];
    }
    return v;
  }

  labels(o: Record<string, unknown> | undefined, key: string, path: Path): Record<string, string> {
    const v = o?.[key];
    if (v === undefined) return {};
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      Object.values(v).some((x) => typeof x !== 'string')
    ) {
      this.problem([...path, key], 'expected a mapping of label names to strings');
      return {};
    }
    return v as Record<string, string>;
  }
}

function readProbe(r: Reader, v: unknown, path: Path): ProbeSpec | undefined {
  const o = r.obj(v, path, ['name', 'query', 'min', 'max', 'during', 'grace', 'noData']);
  if (!o) return undefined;
  const min = r.num(o, 'min', path, undefined);
  const max = r.num(o, 'max', path, undefined);
  if (min === undefined && max === undefined)
    r.problem(path, 'a probe needs a tolerance: min, max or both');
  if (min !== undefined && max !== undefined && min > max)
    r.problem([...path, 'min'], `min ${min} is above max ${max}`);
  const noData = o.noData ?? 'fail';
  if (noData !== 'pass' && noData !== 'fail')
    r.problem([...path, 'noData'], `expected pass or fail, got ${JSON.stringify(noData)}`);
  return {
    name: r.str(o, 'name', path),
    query: r.str(o, 'query', path),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    during: r.bool(o, 'during', path, true),
    graceMs: r.dur(o, 'grace', path, '10s'),
    noData: noData === 'pass' ? 'pass' : 'fail',
  };
}

function readOut(r: Reader, o: Record<string, unknown>, path: Path): 'drain' | 'disabled' {
  const s = o.state ?? 'drain';
  if (!(OUT_STATES as readonly unknown[]).includes(s)) {
    r.problem(
      [...path, 'state'],
      `expected one of ${OUT_STATES.join(', ')}, got ${JSON.stringify(s)}`,
    );
    return 'drain';
  }
  return s as 'drain' | 'disabled';
}

function readAlt(r: Reader, v: unknown, path: Path): MethodStep | undefined {
  const o = r.obj(v, path, ['simulator', 'routing', 'exec', 'real']);
  if (!o) return undefined;
  const keys = ['simulator', 'routing', 'exec'].filter((k) => o[k] !== undefined);
  if (keys.length !== 1) {
    r.problem(path, 'each method step needs exactly one of simulator, routing, exec');
    return undefined;
  }
  const kind = keys[0] as string;
  const p = [...path, kind];
  if (kind === 'routing') {
    const s = r.obj(o.routing, p, ['pool', 'state']) ?? {};
    const pool = o.routing && typeof s.pool === 'string' ? s.pool : undefined;
    if (s.pool !== undefined && typeof s.pool !== 'string')
      r.problem([...p, 'pool'], 'expected a pool name');
    return { kind: 'routing', ...(pool ? { pool } : {}), state: readOut(r, s, p) };
  }
  if (kind === 'exec') {
    const s = r.obj(o.exec, p, ['run', 'undo']) ?? {};
    return { kind: 'exec', run: r.str(s, 'run', p), undo: r.str(s, 'undo', p) };
  }
  const s = r.obj(o.simulator, p, ['fault', 'params']) ?? {};
  const fault = r.str(s, 'fault', p);
  if (fault && !FAULT_KINDS.includes(fault))
    r.problem(
      [...p, 'fault'],
      `unknown simulator fault "${fault}" (expected one of ${FAULT_KINDS.join(', ')})`,
    );
  const params = (r.obj(s.params, [...p, 'params'], ['ms', 'engine', 'xid']) ?? {}) as Record<
    string,
    unknown
  >;
  let real: MethodStep | undefined;
  if (o.real !== undefined) {
    real = readAlt(r, o.real, [...path, 'real']);
    if (real && real.kind === 'simulator')
      r.problem([...path, 'real'], 'real: must be a routing or exec step');
  }
  return {
    kind: 'simulator',
    fault,
    params,
    ...(real && real.kind !== 'simulator' ? { real } : {}),
  };
}

/** Parses one scenario document; throws ScenarioError with every problem found. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const name = basename(file);
  if (doc.errors.length) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file: name,
          line: pos.line,
          col: pos.col,
          path: '(yaml)',
          message: e.message.split('\n')[0] as string,
        };
      }),
    );
  }
  const r = new Reader(doc, lines, name);
  const data = doc.toJS() as unknown;
  const top =
    r.obj(
      data ?? {},
      [],
      [
        'name',
        'title',
        'description',
        'targets',
        'maxDuration',
        'interval',
        'preflight',
        'hypothesis',
        'method',
        'expect',
        'hold',
        'abort',
        'recovery',
        'clientErrors',
      ],
    ) ?? {};
  const scenarioName = r.str(top, 'name', []);
  if (scenarioName && !(DRILL_SCENARIOS as readonly string[]).includes(scenarioName))
    r.problem(
      ['name'],
      `unknown scenario "${scenarioName}" (the inventory allows ${DRILL_SCENARIOS.join(', ')})`,
    );
  if (scenarioName && `${scenarioName}.yaml` !== name && `${scenarioName}.yml` !== name)
    r.problem(['name'], `must match the file name (${name})`);

  const t = r.obj(top.targets, ['targets'], ['roles', 'nodes', 'count']);
  if (!t) r.problem(['targets'], 'required field is missing (roles and/or nodes)');
  const targets = {
    roles: r.strList(t, 'roles', ['targets']),
    nodes: r.strList(t, 'nodes', ['targets']),
    count: r.num(t, 'count', ['targets'], 1, 1, 10) as number,
  };
  if (t && !targets.roles.length && !targets.nodes.length)
    r.problem(['targets'], 'select targets by roles, nodes or both');

  const pf = r.obj(
    top.preflight,
    ['preflight'],
    ['budgetFloor', 'budgetQuery', 'noFiringPage', 'minHealthy'],
  );
  const hypothesis = r
    .list(top, 'hypothesis', [])
    .map((p, i) => readProbe(r, p, ['hypothesis', i]))
    .filter((p): p is ProbeSpec => !!p);
  if (!hypothesis.length)
    r.problem(['hypothesis'], 'a drill needs at least one steady-state probe');
  const seen = new Set<string>();
  hypothesis.forEach((p, i) => {
    if (seen.has(p.name)) r.problem(['hypothesis', i, 'name'], `duplicate probe name "${p.name}"`);
    seen.add(p.name);
  });
  const method = r
    .list(top, 'method', [])
    .map((m, i) => readAlt(r, m, ['method', i]))
    .filter((m): m is MethodStep => !!m);
  if (!method.length) r.problem(['method'], 'a drill needs at least one fault action');

  const ex = r.obj(top.expect, ['expect'], ['alerts', 'routing']);
  const alerts = r
    .list(ex, 'alerts', ['expect'])
    .map((a, i): ExpectedAlert | undefined => {
      const p: Path = ['expect', 'alerts', i];
      const o = r.obj(a, p, ['alertname', 'labels', 'within', 'required', 'silence']);
      if (!o) return undefined;
      return {
        alertname: r.str(o, 'alertname', p),
        labels: r.labels(o, 'labels', p),
        withinMs: r.dur(o, 'within', p, '30s'),
        required: r.bool(o, 'required', p, true),
        silence: r.bool(o, 'silence', p, true),
      };
    })
    .filter((a): a is ExpectedAlert => !!a);
  const routing = r
    .list(ex, 'routing', ['expect'])
    .map((a, i): ExpectedRouting | undefined => {
      const p: Path = ['expect', 'routing', i];
      const o = r.obj(a, p, ['pool', 'backend', 'states', 'within']);
      if (!o) return undefined;
      const states = r.strList(o, 'states', p);
      for (const s of states)
        if (!(OUT_STATES as readonly string[]).includes(s))
          r.problem([...p, 'states'], `unknown state "${s}" (expected drain or disabled)`);
      return {
        pool: r.str(o, 'pool', p),
        backend: r.str(o, 'backend', p, '{{target}}'),
        states: (states.length ? states : ['drain', 'disabled']) as ExpectedRouting['states'],
        withinMs: r.dur(o, 'within', p, '45s'),
      };
    })
    .filter((a): a is ExpectedRouting => !!a);

  const ab = r.obj(top.abort, ['abort'], ['budgetBurn', 'prometheusUnreachable']);
  const bb = r.obj(ab?.budgetBurn, ['abort', 'budgetBurn'], ['query', 'max', 'for']);
  const rec = r.obj(top.recovery, ['recovery'], ['within']);
  const ce = r.obj(top.clientErrors, ['clientErrors'], ['failures', 'requests']);

  const scenario: Scenario = {
    name: scenarioName,
    title: r.str(top, 'title', []),
    description: r.str(top, 'description', []),
    file,
    targets,
    maxDurationMs: r.dur(top, 'maxDuration', [], '2m'),
    intervalMs: r.dur(top, 'interval', [], '2s'),
    preflight: {
      budgetFloor: r.num(pf, 'budgetFloor', ['preflight'], 0.2, 0, 1) as number,
      budgetQuery: r.str(pf, 'budgetQuery', ['preflight'], DEFAULT_BUDGET_QUERY),
      noFiringPage: r.bool(pf, 'noFiringPage', ['preflight'], true),
      minHealthy: r.bool(pf, 'minHealthy', ['preflight'], true),
    },
    hypothesis,
    method,
    expect: { alerts, routing },
    holdMs: r.dur(top, 'hold', [], '5s'),
    abort: {
      ...(bb
        ? {
            budgetBurn: {
              query: r.str(bb, 'query', ['abort', 'budgetBurn']),
              max: r.num(bb, 'max', ['abort', 'budgetBurn'], 100, 0) as number,
              forMs: r.dur(bb, 'for', ['abort', 'budgetBurn'], '10s'),
            },
          }
        : {}),
      prometheusUnreachableMs: r.dur(ab, 'prometheusUnreachable', ['abort'], '15s'),
    },
    recoveryWithinMs: r.dur(rec, 'within', ['recovery'], '60s'),
    clientErrors: {
      failures: r.str(ce, 'failures', ['clientErrors'], DEFAULT_CLIENT_ERRORS.failures),
      requests: r.str(ce, 'requests', ['clientErrors'], DEFAULT_CLIENT_ERRORS.requests),
    },
  };
  if (scenario.intervalMs < 50) r.problem(['interval'], 'must be at least 50ms');
  if (scenario.maxDurationMs <= scenario.intervalMs)
    r.problem(['maxDuration'], 'must be longer than interval');
  if (r.problems.length) throw new ScenarioError(r.problems);
  return scenario;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}

/** Every *.yaml in `dir`; all problems of all files are reported together. */
export function loadScenarios(dir: string): Scenario[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (err) {
    throw new ConfigError(`drills: cannot read scenario folder ${dir}: ${(err as Error).message}`);
  }
  const out: Scenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const f of files) {
    try {
      out.push(loadScenarioFile(join(dir, f)));
    } catch (err) {
      if (err instanceof ScenarioError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new ScenarioError(problems);
  return out;
}

/** The scenarios shipped with the package (controller/drills), from src/ or dist/. */
export const DEFAULT_DRILLS_DIR = join(__dirname, '..', '..', 'drills');
