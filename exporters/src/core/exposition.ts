// One /metrics exposition from several texts (prom-client registries, the OpenTelemetry
// exporter): every family appears once, and the whole is converted to OpenMetrics when the
// scraper asks for it. prom-client and OTel both print 0.0.4 text, so that is the common input.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface ExpositionPart {
  readonly source: string;
  readonly text: string;
}

export interface MergedExposition {
  readonly text: string;
  /** `family (source)` for every family dropped because an earlier part already had it. */
  readonly duplicates: string[];
}

const HEADER = /^# (HELP|TYPE|UNIT) (\S+)/;

/**
 * Concatenates the parts in order; a family (by HELP/TYPE name) that an earlier part already
 * printed is dropped with its samples, because a second HELP for a name fails the whole scrape
 * in Prometheus. Blank lines and `# EOF` are removed.
 */
export function mergeExpositions(parts: readonly ExpositionPart[]): MergedExposition {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const out: string[] = [];
  for (const part of parts) {
    const local = new Set<string>();
    let skipping = false;
    for (const line of part.text.split('\n')) {
      if (line === '' || line === '# EOF') continue;
      if (line.charCodeAt(0) === 35 /* # */) {
        const m = HEADER.exec(line);
        if (m) {
          const name = m[2] as string;
          if (!local.has(name)) {
            local.add(name);
            skipping = seen.has(name);
            if (skipping) duplicates.push(`${name} (${part.source})`);
          }
        }
      }
      if (!skipping) out.push(line);
    }
    for (const n of local) seen.add(n);
  }
  return { text: out.length ? out.join('\n') + '\n' : '', duplicates };
}

function escapeOpenMetricsHelp(help: string): string {
  // 0.0.4 escapes only \ and newline; OpenMetrics also needs the double quote escaped.
  return help.replace(/(?<!\\)"/g, '\\"');
}

/**
 * 0.0.4 text → OpenMetrics 1.0: counter families lose `_total` in HELP/TYPE (samples keep or
 * gain it), `untyped` becomes `unknown`, `# UNIT` lines go (OTel's `s` does not match the name
 * suffix OpenMetrics requires), and `# EOF` ends the text.
 */
export function toOpenMetrics(text: string): string {
  const lines = text.split('\n');
  const counters = new Map<string, string>(); // name as printed → family name
  for (const line of lines) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (type === 'counter' && name) counters.set(name, name.replace(/_total$/, ''));
    }
  }
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('#')) {
      const m = HEADER.exec(line);
      if (!m) continue; // free comments are not allowed in OpenMetrics
      const [, kind, name] = m as unknown as [string, string, string];
      if (kind === 'UNIT') continue;
      const family = counters.get(name) ?? name;
      const rest = line.slice(`# ${kind} ${name}`.length);
      if (kind === 'TYPE') out.push(`# TYPE ${family}${rest.replace(/ untyped$/, ' unknown')}`);
      else out.push(`# HELP ${family}${escapeOpenMetricsHelp(rest)}`);
      continue;
    }
    const end = line.search(/[{ ]/);
    const name = end < 0 ? line : line.slice(0, end);
    if (counters.has(name) && !name.endsWith('_total'))
      out.push(`${name}_total${line.slice(name.length)}`);
    else out.push(line);
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}

/** True when the Accept header prefers OpenMetrics (Prometheus sends it first when enabled). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { om: boolean; q: number } | undefined;
  for (const item of accept.split(',')) {
    const [type, ...params] = item
      .trim()
      .split(';')
      .map((s) => s.trim());
    if (!type) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const om = type === 'application/openmetrics-text';
    if (!om && type !== 'text/plain' && type !== '*/*') continue;
    if (!best || q > best.q) best = { om, q };
  }
  return best?.om ?? false;
}

/** Names of families that appear more than once (a cheap guard used in tests). */
export function duplicateFamilies(text: string): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('# TYPE ')) continue;
    const name = line.split(' ')[2] as string;
    if (seen.has(name)) dups.add(name);
    seen.add(name);
  }
  return [...dups];
}
