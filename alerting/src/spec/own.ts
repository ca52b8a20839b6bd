// The okome-slo/v1 format (alerting/README.md, slo-spec.schema.json): read, check every field
// and map onto the model. All problems are collected, each with its line and path.
import { SPEC_VERSION } from '../conventions';
import { parseDuration } from '../duration';
import type { AlertingOptions, Selector, Sli, Slo, SloSet, ThresholdOp } from '../model';
import { parseSelector } from '../promql';
import { checkSlo } from '../validate';
import type { SpecProblem } from '../problems';
import { isRecord, readYaml } from './yaml-source';
import type { Path, YamlSource } from './yaml-source';

export const DEFAULT_PERIOD = '28d';
export const DEFAULT_RUNBOOK_BASE = 'https://runbooks.okome.local';
const NAME_RE = /^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const THRESHOLD_OPS: readonly ThresholdOp[] = ['gte', 'gt', 'lte', 'lt'];

type Fields = Record<string, unknown>;

/** Small typed getters that report instead of throwing. */
class Reader {
  constructor(private readonly src: YamlSource) {}

  object(v: unknown, path: Path, keys: readonly string[]): Fields | undefined {
    if (!isRecord(v)) {
      this.src.report(
        path,
        v === undefined
          ? 'missing required field (object)'
          : `expected an object, got ${JSON.stringify(v)}`,
      );
      return undefined;
    }
    for (const k of Object.keys(v))
      if (!keys.includes(k))
        this.src.report([...path, k], `unknown field "${k}" (expected one of ${keys.join(', ')})`);
    return v;
  }

  string(o: Fields, key: string, path: Path, required: boolean): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.src.report([...path, key], 'missing required field (string)');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.src.report([...path, key], `expected a non-empty string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  name(o: Fields, key: string, path: Path, required: boolean): string | undefined {
    const v = this.string(o, key, path, required);
    if (v !== undefined && !NAME_RE.test(v)) {
      this.src.report(
        [...path, key],
        `"${v}" is not a name (lower-case letters, digits, "-", "_", ".")`,
      );
      return undefined;
    }
    return v;
  }

  number(o: Fields, key: string, path: Path): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.src.report([...path, key], `expected a number, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  duration(o: Fields, key: string, path: Path): string | undefined {
    const v = this.string(o, key, path, false);
    if (v !== undefined && parseDuration(v) === undefined) {
      this.src.report([...path, key], `not a duration: "${v}" (expected e.g. 7d, 28d, 30d)`);
      return undefined;
    }
    return v;
  }

  labels(o: Fields, key: string, path: Path): Record<string, string> {
    const v = o[key];
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) {
      this.src.report([...path, key], 'expected a map of label names to strings');
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (!LABEL_RE.test(k))
        this.src.report([...path, key, k], `"${k}" is not a Prometheus label name`);
      else if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean')
        this.src.report(
          [...path, key, k],
          `label value must be a string, got ${JSON.stringify(val)}`,
        );
      else out[k] = String(val);
    }
    return out;
  }

  selector(o: Fields, key: string, path: Path, required: boolean): Selector | undefined {
    const text = this.string(o, key, path, required);
    if (text === undefined) return undefined;
    const sel = parseSelector(text);
    if (typeof sel === 'string') {
      this.src.report([...path, key], sel);
      return undefined;
    }
    return sel;
  }
}

function readSli(r: Reader, src: YamlSource, v: unknown, path: Path): Sli | undefined {
  const o = r.object(v, path, ['events', 'latency', 'threshold']);
  if (!o) return undefined;
  const kinds = Object.keys(o);
  if (kinds.length !== 1) {
    src.report(
      path,
      `give exactly one of events, latency, threshold (got ${kinds.join(', ') || 'none'})`,
    );
    return undefined;
  }
  if (o.events !== undefined) {
    const p = [...path, 'events'];
    const e = r.object(o.events, p, ['bad', 'good', 'total']);
    if (!e) return undefined;
    const bad = r.selector(e, 'bad', p, false);
    const good = r.selector(e, 'good', p, false);
    const total = r.selector(e, 'total', p, true);
    if ((e.bad === undefined) === (e.good === undefined)) {
      src.report(p, 'give exactly one of bad or good (with total)');
      return undefined;
    }
    if (!total || (!bad && !good)) return undefined;
    return { kind: 'events', bad, good, total };
  }
  if (o.latency !== undefined) {
    const p = [...path, 'latency'];
    const l = r.object(o.latency, p, ['histogram', 'threshold']);
    if (!l) return undefined;
    let histogram = r.selector(l, 'histogram', p, true);
    if (histogram && /_(bucket|count|sum)$/.test(histogram.metric))
      histogram = { ...histogram, metric: histogram.metric.replace(/_(bucket|count|sum)$/, '') };
    if (histogram?.matchers.some((m) => m.name === 'le')) {
      src.report([...p, 'histogram'], 'do not match on "le"; set threshold instead');
      histogram = undefined;
    }
    const t = l.threshold;
    let thresholdSeconds: number | undefined;
    if (typeof t === 'number' && t > 0) thresholdSeconds = t;
    else if (typeof t === 'string' && parseDuration(t)) thresholdSeconds = parseDuration(t);
    else
      src.report(
        [...p, 'threshold'],
        t === undefined
          ? 'missing required field (seconds, or a duration such as 500ms)'
          : `expected seconds > 0 or a duration such as 500ms, got ${JSON.stringify(t)}`,
      );
    if (!histogram || thresholdSeconds === undefined) return undefined;
    return { kind: 'latency', histogram, thresholdSeconds };
  }
  const p = [...path, 'threshold'];
  const t = r.object(o.threshold, p, ['query', 'op', 'value']);
  if (!t) return undefined;
  const query = r.string(t, 'query', p, true);
  const op = r.string(t, 'op', p, true);
  const value = r.number(t, 'value', p);
  if (t.value === undefined) src.report([...p, 'value'], 'missing required field (number)');
  if (op !== undefined && !THRESHOLD_OPS.includes(op as ThresholdOp))
    src.report([...p, 'op'], `unknown op "${op}" (expected one of ${THRESHOLD_OPS.join(', ')})`);
  if (!query || !op || !THRESHOLD_OPS.includes(op as ThresholdOp) || value === undefined)
    return undefined;
  return { kind: 'threshold', query, op: op as ThresholdOp, value };
}

function readAlerting(r: Reader, src: YamlSource, v: unknown, path: Path): AlertingOptions {
  const out: AlertingOptions = { pageLabels: {}, ticketLabels: {}, missingData: true };
  if (v === undefined || v === null) return out;
  const o = r.object(v, path, ['pageLabels', 'ticketLabels', 'missingData', 'minEvents']);
  if (!o) return out;
  out.pageLabels = r.labels(o, 'pageLabels', path);
  out.ticketLabels = r.labels(o, 'ticketLabels', path);
  for (const [k, labels] of [
    ['pageLabels', out.pageLabels],
    ['ticketLabels', out.ticketLabels],
  ] as const)
    if ('severity' in labels)
      src.report([...path, k, 'severity'], 'severity is set by okome-slo (page or ticket)');
  if (o.missingData !== undefined) {
    if (typeof o.missingData !== 'boolean')
      src.report([...path, 'missingData'], 'expected true or false');
    else out.missingData = o.missingData;
  }
  const min = r.number(o, 'minEvents', path);
  if (min !== undefined) {
    if (!Number.isInteger(min) || min < 0)
      src.report([...path, 'minEvents'], 'expected a whole number ≥ 0 (0 turns the guard off)');
    else out.minEvents = min;
  }
  return out;
}

/** Maps a parsed okome-slo/v1 document onto the model; problems go to `src.problems`. */
export function readOwnSpec(src: YamlSource): SloSet | undefined {
  const r = new Reader(src);
  const top = r.object(
    src.data,
    [],
    ['$schema', 'version', 'cluster', 'service', 'period', 'labels', 'runbookBaseUrl', 'slos'],
  );
  if (!top) return undefined;
  const version = r.string(top, 'version', [], true);
  if (version !== undefined && version !== SPEC_VERSION)
    src.report(
      ['version'],
      `unsupported version "${version}" (expected "${SPEC_VERSION}"; use okome-slo import for Sloth or OpenSLO)`,
    );
  const cluster = r.name(top, 'cluster', [], true);
  const service = r.name(top, 'service', [], false);
  const period = r.duration(top, 'period', []) ?? DEFAULT_PERIOD;
  const labels = r.labels(top, 'labels', []);
  const runbookBase = (r.string(top, 'runbookBaseUrl', [], false) ?? DEFAULT_RUNBOOK_BASE).replace(
    /\/+$/,
    '',
  );
  if (!Array.isArray(top.slos)) {
    src.report(
      ['slos'],
      top.slos === undefined ? 'missing required field (list of SLOs)' : 'expected a list of SLOs',
    );
    return undefined;
  }
  const slos: Slo[] = [];
  const seen = new Map<string, number>();
  top.slos.forEach((raw, i) => {
    const path: Path = ['slos', i];
    const o = r.object(raw, path, [
      'name',
      'service',
      'hop',
      'description',
      'objective',
      'period',
      'sli',
      'labels',
      'runbook',
      'alerting',
    ]);
    if (!o) return;
    const name = r.name(o, 'name', path, true);
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined)
        src.report([...path, 'name'], `duplicate SLO name "${name}" (also slos[${first}])`);
      else seen.set(name, i);
    }
    const objective = r.number(o, 'objective', path);
    if (o.objective === undefined)
      src.report([...path, 'objective'], 'missing required field (percent, e.g. 99.9)');
    else if (objective !== undefined && !(objective > 0 && objective < 100))
      src.report([...path, 'objective'], `objective ${objective} is not a percent in (0, 100)`);
    const sloService = r.name(o, 'service', path, false) ?? service;
    if (!sloService)
      src.report([...path, 'service'], 'missing service (set it here or at the top of the file)');
    const sli = readSli(r, src, o.sli, [...path, 'sli']);
    const sloPeriod = r.duration(o, 'period', path) ?? period;
    const periodSeconds = parseDuration(sloPeriod) ?? 0;
    if (periodSeconds < 86400)
      src.report(
        [...path, 'period'],
        `period ${sloPeriod} is shorter than 1d; burn-rate windows need days`,
      );
    const hop = r.name(o, 'hop', path, false);
    const runbook = r.string(o, 'runbook', path, false);
    const alerting = readAlerting(r, src, o.alerting, [...path, 'alerting']);
    if (!name || objective === undefined || !sli || !sloService || !cluster) return;
    const slo: Slo = {
      name,
      cluster,
      service: sloService,
      hop,
      description: r.string(o, 'description', path, false),
      objective,
      period: sloPeriod,
      sli,
      labels: { ...labels, ...r.labels(o, 'labels', path) },
      runbookUrl: runbook ?? `${runbookBase}/slo/${name}`,
      alerting,
    };
    for (const p of checkSlo(slo)) src.report([...path, ...p.path], p.message);
    slos.push(slo);
  });
  if (!cluster) return undefined;
  return { cluster, slos, file: src.file };
}

/** Parses okome-slo/v1 text. */
export function parseOwnSpec(
  text: string,
  file: string,
): { set?: SloSet; problems: SpecProblem[] } {
  const src = readYaml(text, file);
  if (Array.isArray(src)) return { problems: src };
  const set = readOwnSpec(src);
  return src.problems.length ? { problems: src.problems } : { set, problems: [] };
}
