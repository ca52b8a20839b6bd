// OpenSLO v1 `SLO` (+ `SLI`) documents → okome-slo/v1. ratioMetric (counters, Occurrences) maps
// to an events SLI, thresholdMetric (Timeslices) to a threshold SLI; calendar windows,
// RatioTimeslices, raw ratios and several objectives per SLO are named as not expressible.
import { SPEC_VERSION } from '../../conventions';
import { parseDuration } from '../../duration';
import { toYaml } from '../../write';
import { isRecord, readYamlDocuments } from '../yaml-source';
import type { Path, YamlSource } from '../yaml-source';
import { selectorOfCounterQuery } from './common';
import type { ImportResult } from './common';

export const OPENSLO_VERSION = 'openslo/v1';
const OPS: Record<string, string> = { gte: 'gte', gt: 'gt', lte: 'lte', lt: 'lt' };

export function isOpenSlo(doc: unknown): boolean {
  return isRecord(doc) && doc.apiVersion === OPENSLO_VERSION;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function labelsOf(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k.replace(/[^a-zA-Z0-9_]/g, '_'),
      Array.isArray(x) ? x.join(',') : String(x),
    ]),
  );
}

function query(src: YamlSource, v: unknown, path: Path): string | undefined {
  const ms = isRecord(v) && isRecord(v.metricSource) ? v.metricSource : undefined;
  if (!ms) {
    src.report(path, 'missing metricSource');
    return undefined;
  }
  const type = str(ms.type) ?? '';
  if (type.toLowerCase() !== 'prometheus') {
    src.report(
      [...path, 'metricSource', 'type'],
      `cannot express: metric source "${type}" (only Prometheus)`,
    );
    return undefined;
  }
  const q = isRecord(ms.spec) ? (str(ms.spec.query) ?? str(ms.spec.promql)) : undefined;
  if (!q) src.report([...path, 'metricSource', 'spec', 'query'], 'missing query');
  return q;
}

export function importOpenSlo(
  text: string,
  file: string,
  opts: { cluster?: string } = {},
): ImportResult {
  const docs = readYamlDocuments(text, file);
  if (!Array.isArray(docs) || docs.length === 0) return { problems: [], notes: [] };
  if (!(docs[0] && 'data' in docs[0]))
    return { problems: docs as ImportResult['problems'], notes: [] };
  const sources = docs as YamlSource[];
  const notes: string[] = [];
  const slis = new Map<string, { src: YamlSource; spec: unknown }>();
  const slos: { src: YamlSource; doc: Record<string, unknown> }[] = [];
  for (const src of sources) {
    const d = src.data;
    if (d === null || d === undefined) continue;
    if (!isRecord(d) || d.apiVersion !== OPENSLO_VERSION) {
      src.report(
        ['apiVersion'],
        `not an OpenSLO v1 document (expected apiVersion "${OPENSLO_VERSION}")`,
      );
      continue;
    }
    const name = isRecord(d.metadata) ? str(d.metadata.name) : undefined;
    if (d.kind === 'SLI' && name) slis.set(name, { src, spec: d.spec });
    else if (d.kind === 'SLO') slos.push({ src, doc: d });
    else
      notes.push(
        `${String(d.kind)} "${name ?? '?'}" ignored (okome-slo writes its own alert policy)`,
      );
  }
  if (!slos.length && sources[0]) sources[0].report(['kind'], 'no SLO document found');
  const out: unknown[] = [];
  let cluster = opts.cluster;
  let service: string | undefined;
  for (const { src, doc } of slos) {
    const meta = isRecord(doc.metadata) ? doc.metadata : {};
    const spec = isRecord(doc.spec) ? doc.spec : {};
    const labels = labelsOf(meta.labels);
    cluster ??= labels.cluster;
    delete labels.cluster;
    service ??= str(spec.service);
    const tw = Array.isArray(spec.timeWindow) ? spec.timeWindow[0] : undefined;
    let period: string | undefined;
    if (isRecord(tw)) {
      if (tw.isRolling === false || tw.calendar !== undefined)
        src.report(
          ['spec', 'timeWindow', 0],
          'cannot express: calendar-aligned windows (okome-slo periods are rolling)',
        );
      else if (!parseDuration(String(tw.duration)))
        src.report(
          ['spec', 'timeWindow', 0, 'duration'],
          `cannot express: duration "${String(tw.duration)}" (use days or weeks, e.g. 28d)`,
        );
      else period = String(tw.duration);
    }
    const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
    if (objectives.length !== 1) {
      src.report(
        ['spec', 'objectives'],
        `cannot express: ${objectives.length} objectives (okome-slo needs exactly one per SLO; split it)`,
      );
      continue;
    }
    const obj = isRecord(objectives[0]) ? objectives[0] : {};
    const objective =
      typeof obj.targetPercent === 'number'
        ? obj.targetPercent
        : typeof obj.target === 'number'
          ? obj.target * 100
          : undefined;
    if (objective === undefined)
      src.report(['spec', 'objectives', 0], 'missing target or targetPercent');

    let sliSrc = src;
    let sliSpec: unknown;
    let sliPath: Path = ['spec', 'indicator', 'spec'];
    if (isRecord(spec.indicator)) sliSpec = spec.indicator.spec;
    else if (str(spec.indicatorRef)) {
      const ref = slis.get(spec.indicatorRef as string);
      if (!ref) {
        src.report(
          ['spec', 'indicatorRef'],
          `SLI "${String(spec.indicatorRef)}" is not in this file`,
        );
        continue;
      }
      sliSrc = ref.src;
      sliSpec = ref.spec;
      sliPath = ['spec'];
    } else {
      src.report(['spec'], 'missing indicator or indicatorRef');
      continue;
    }
    const s = isRecord(sliSpec) ? sliSpec : {};
    const method = str(spec.budgetingMethod) ?? 'Occurrences';
    let sli: unknown;
    if (isRecord(s.ratioMetric)) {
      const rm = s.ratioMetric;
      const p = [...sliPath, 'ratioMetric'];
      if (method !== 'Occurrences')
        src.report(
          ['spec', 'budgetingMethod'],
          `cannot express: ${method} for a ratioMetric (okome-slo budgets ratios by occurrences)`,
        );
      if (rm.counter === false)
        sliSrc.report([...p, 'counter'], 'cannot express: gauge ratios (okome-slo needs counters)');
      if (rm.raw !== undefined)
        sliSrc.report(
          [...p, 'raw'],
          'cannot express: raw ratios (okome-slo needs good/bad and total counters)',
        );
      const which = rm.good !== undefined ? 'good' : 'bad';
      const q = query(sliSrc, rm[which], [...p, which]);
      const t = query(sliSrc, rm.total, [...p, 'total']);
      const qs = q && selectorOfCounterQuery(q);
      const ts = t && selectorOfCounterQuery(t);
      if (q && !qs)
        sliSrc.report(
          [...p, which, 'metricSource', 'spec', 'query'],
          'cannot express: expected a counter selector or sum(rate(<selector>[…]))',
        );
      if (t && !ts)
        sliSrc.report(
          [...p, 'total', 'metricSource', 'spec', 'query'],
          'cannot express: expected a counter selector or sum(rate(<selector>[…]))',
        );
      if (qs && ts) sli = { events: { [which]: qs, total: ts } };
    } else if (isRecord(s.thresholdMetric)) {
      if (method === 'Occurrences')
        notes.push(
          `${String(meta.name)}: thresholdMetric budgeted by time slices (okome-slo's threshold SLI)`,
        );
      if (method === 'RatioTimeslices')
        src.report(['spec', 'budgetingMethod'], 'cannot express: RatioTimeslices');
      const q = query(sliSrc, s.thresholdMetric, [...sliPath, 'thresholdMetric']);
      const op = OPS[str(obj.op) ?? ''];
      if (!op)
        src.report(
          ['spec', 'objectives', 0, 'op'],
          `thresholdMetric needs op (one of ${Object.keys(OPS).join(', ')})`,
        );
      if (typeof obj.value !== 'number')
        src.report(['spec', 'objectives', 0, 'value'], 'thresholdMetric needs a numeric value');
      if (q && op && typeof obj.value === 'number')
        sli = { threshold: { query: q, op, value: obj.value } };
    } else {
      sliSrc.report(sliPath, 'cannot express: SLI kind (expected ratioMetric or thresholdMetric)');
    }
    if (!sli || objective === undefined) continue;
    const annotations = isRecord(meta.annotations) ? meta.annotations : {};
    out.push({
      name: meta.name,
      ...(str(spec.service) && spec.service !== service ? { service: spec.service } : {}),
      ...(str(spec.description) ? { description: spec.description } : {}),
      objective: Math.round(objective * 1e6) / 1e6,
      ...(period ? { period } : {}),
      sli,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(str(annotations.runbook_url) ? { runbook: annotations.runbook_url } : {}),
    });
    if (Array.isArray(spec.alertPolicies) && spec.alertPolicies.length)
      notes.push(
        `${String(meta.name)}: alertPolicies replaced by okome-slo's multiwindow burn-rate tiers`,
      );
  }
  const problems = sources.flatMap((s) => s.problems);
  if (problems.length) return { problems, notes };
  const result = {
    version: SPEC_VERSION,
    cluster: cluster ?? service ?? 'default',
    service,
    slos: out,
  };
  return {
    yaml: `# imported by okome-slo from OpenSLO ${OPENSLO_VERSION} (${file})\n${toYaml(result)}`,
    problems: [],
    notes,
  };
}
