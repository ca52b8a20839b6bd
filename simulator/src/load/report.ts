// Human output of a load run.
import { formatMs } from '../util/time';
import type { LoadProgress, LoadReport } from './generator';
import type { Summary } from './stats';

const ms = (v: number) => (Number.isFinite(v) ? formatMs(v) : '-');

function row(name: string, s: Summary): string {
  return `  ${name.padEnd(6)} ${String(s.count).padStart(7)} ${ms(s.p50).padStart(9)} ${ms(s.p90).padStart(9)} ${ms(s.p95).padStart(9)} ${ms(s.p99).padStart(9)} ${ms(s.max).padStart(9)}`;
}

export function formatProgress(p: LoadProgress): string {
  return `[${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s] sent ${p.sent}  done ${p.completed}  in-flight ${p.inFlight}  errors ${p.errors}  tokens ${p.tokens}  ttft p50 ${ms(p.ttftP50Ms)}`;
}

export function formatReport(r: LoadReport): string {
  const lines = [
    `target     ${r.target}`,
    `model      ${r.model}`,
    `requests   ${r.requests.sent} sent, ${r.requests.ok} ok, ${r.requests.failed} failed (planned ${r.requests.planned} at ${r.rps} rps over ${r.durationSeconds}s, concurrency ${r.concurrency}${r.requests.delayedByConcurrency ? `, ${r.requests.delayedByConcurrency} delayed by it` : ''})`,
    `elapsed    ${r.elapsedSeconds.toFixed(1)}s`,
    `tokens     ${r.tokens.total} (${r.tokens.perSecond.toFixed(1)} tok/s, ${r.tokens.perRequestMean.toFixed(1)} per request)`,
    '',
    `  ${'metric'.padEnd(6)} ${'count'.padStart(7)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`,
    row('ttft', r.ttftMs),
    row('itl', r.itlMs),
    row('tpot', r.tpotMs),
    row('e2e', r.e2eMs),
    '',
  ];
  const errs = Object.entries(r.errors);
  lines.push(`errors     ${errs.length ? errs.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`);
  for (const s of r.errorSamples) lines.push(`           ${s.slice(0, 160)}`);
  if (r.cache.hit + r.cache.miss + r.cache.error)
    lines.push(`cache      hit=${r.cache.hit} miss=${r.cache.miss} error=${r.cache.error}`);
  const served = Object.entries(r.servedBy).sort();
  if (served.length) lines.push(`served by  ${served.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
