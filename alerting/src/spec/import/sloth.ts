// Sloth `prometheus/v1` specs → okome-slo/v1. Events SLIs must be sum(rate(<selector>[{{.window}}]))
// queries (or Sloth's count − bucket latency idiom); anything else is named as not expressible.
import { SPEC_VERSION } from '../../conventions';
import { toYaml } from '../../write';
import { isRecord, readYaml } from '../yaml-source';
import { latencyOfErrorQuery, selectorOfCounterQuery } from './common';
import type { ImportResult } from './common';

export const SLOTH_VERSION = 'prometheus/v1';
/** Sloth's default SLO period. */
export const SLOTH_PERIOD = '30d';

export function isSloth(doc: unknown): boolean {
  return isRecord(doc) && doc.version === SLOTH_VERSION;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

export function importSloth(
  text: string,
  file: string,
  opts: { cluster?: string } = {},
): ImportResult {
  const src = readYaml(text, file);
  if (Array.isArray(src)) return { problems: src, notes: [] };
  const notes: string[] = [];
  const doc = src.data;
  if (!isRecord(doc) || doc.version !== SLOTH_VERSION) {
    src.report(['version'], `not a Sloth spec (expected version "${SLOTH_VERSION}")`);
    return { problems: src.problems, notes };
  }
  const service = str(doc.service);
  if (!service) src.report(['service'], 'missing required field (string)');
  const labels = stringMap(doc.labels);
  const cluster = opts.cluster ?? labels.cluster ?? service ?? 'default';
  delete labels.cluster;
  const slos: unknown[] = [];
  const list = Array.isArray(doc.slos) ? doc.slos : [];
  if (!Array.isArray(doc.slos)) src.report(['slos'], 'missing required field (list of SLOs)');
  list.forEach((raw, i) => {
    if (!isRecord(raw)) return src.report(['slos', i], 'expected an object');
    const sli = isRecord(raw.sli) ? raw.sli : {};
    let outSli: unknown;
    if (isRecord(sli.events)) {
      const errorQ = str(sli.events.error_query) ?? '';
      const totalQ = str(sli.events.total_query) ?? '';
      const bad = selectorOfCounterQuery(errorQ);
      const total = selectorOfCounterQuery(totalQ);
      const latency = bad ? undefined : latencyOfErrorQuery(errorQ);
      if (
        latency &&
        total &&
        total.replace(/\s/g, '') ===
          latency.histogram.replace(/^(\w+)/, '$1_count').replace(/\s/g, '')
      ) {
        outSli = { latency: { histogram: latency.histogram, threshold: latency.threshold } };
      } else if (bad && total) outSli = { events: { bad, total } };
      else {
        if (!bad && !latency)
          src.report(
            ['slos', i, 'sli', 'events', 'error_query'],
            'cannot express: expected sum(rate(<selector>[{{.window}}])) or sum(rate(h_count[…])) - sum(rate(h_bucket{le="…"}[…]))',
          );
        if (!total)
          src.report(
            ['slos', i, 'sli', 'events', 'total_query'],
            'cannot express: expected sum(rate(<selector>[{{.window}}]))',
          );
        if (latency && total)
          src.report(
            ['slos', i, 'sli', 'events', 'total_query'],
            "cannot express: the latency idiom needs total_query over the same histogram's _count",
          );
        return;
      }
    } else if (sli.raw !== undefined) {
      return src.report(
        ['slos', i, 'sli', 'raw'],
        'cannot express: raw error-ratio queries (okome-slo needs counters to build ratios of sums)',
      );
    } else if (sli.plugin !== undefined) {
      return src.report(['slos', i, 'sli', 'plugin'], 'cannot express: Sloth SLI plugins');
    } else return src.report(['slos', i, 'sli'], 'missing events SLI');
    const alerting = isRecord(raw.alerting) ? raw.alerting : {};
    const common = stringMap(alerting.labels);
    const page = isRecord(alerting.page_alert) ? alerting.page_alert : {};
    const ticket = isRecord(alerting.ticket_alert) ? alerting.ticket_alert : {};
    for (const [k, a] of [
      ['page_alert', page],
      ['ticket_alert', ticket],
    ] as const)
      if (a.disable === true)
        src.report(
          ['slos', i, 'alerting', k, 'disable'],
          'cannot express: okome-slo always writes both page and ticket tiers (route or silence them in Alertmanager)',
        );
    const pageLabels = { ...common, ...stringMap(page.labels) };
    const ticketLabels = { ...common, ...stringMap(ticket.labels) };
    for (const l of [pageLabels, ticketLabels]) {
      if (l.severity)
        notes.push(
          `slos[${i}]: Sloth severity "${l.severity}" replaced by okome-slo's page/ticket`,
        );
      delete l.severity;
    }
    if (alerting.name)
      notes.push(
        `slos[${i}]: alert name "${String(alerting.name)}" becomes ErrorBudgetBurn/SLOMetricAbsent`,
      );
    const annotations = stringMap(alerting.annotations);
    const runbook = annotations.runbook_url ?? annotations.runbook;
    slos.push({
      name: raw.name,
      ...(str(raw.description) ? { description: raw.description } : {}),
      objective: raw.objective,
      sli: outSli,
      ...(isRecord(raw.labels) ? { labels: stringMap(raw.labels) } : {}),
      ...(runbook ? { runbook } : {}),
      alerting: {
        ...(Object.keys(pageLabels).length ? { pageLabels } : {}),
        ...(Object.keys(ticketLabels).length ? { ticketLabels } : {}),
      },
    });
  });
  if (src.problems.length) return { problems: src.problems, notes };
  const out = {
    version: SPEC_VERSION,
    cluster,
    service,
    period: SLOTH_PERIOD,
    ...(Object.keys(labels).length ? { labels } : {}),
    slos,
  };
  return {
    yaml: `# imported by okome-slo from Sloth ${SLOTH_VERSION} (${file})\n${toYaml(out)}`,
    problems: [],
    notes,
  };
}
