// PromQL is built from the model (selectors, windows, numbers), never pasted from user text,
// and every expression is parsed with Prometheus' own lezer grammar before it is written, so
// a generator bug surfaces as an error here instead of as a rule Prometheus refuses.
import type { Tree } from '@lezer/common';

// The grammar ships as an ES module whose types TypeScript will not let a CommonJS file import,
// though its CommonJS build loads fine; so it is required with the one shape used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as {
  parser: { parse(input: string): Tree };
};
import type { Matcher, MatchOp, Selector } from './model';

export class PromqlError extends Error {
  constructor(
    message: string,
    readonly expr: string,
  ) {
    super(`${message}: ${expr}`);
    this.name = 'PromqlError';
  }
}

/** Returns the first syntax problem in `expr`, or undefined when Prometheus would parse it. */
export function promqlProblem(expr: string): string | undefined {
  if (!expr.trim()) return 'empty expression';
  const tree = parser.parse(expr);
  let problem: string | undefined;
  tree.iterate({
    enter: (node) => {
      if (problem) return false;
      if (node.type.isError) {
        const near = expr.slice(Math.max(0, node.from - 10), node.to + 10);
        problem = `syntax error at offset ${node.from} near "${near}"`;
        return false;
      }
      return undefined;
    },
  });
  return problem;
}

/** Throws PromqlError when `expr` does not parse; returns it otherwise. */
export function checked(expr: string): string {
  const problem = promqlProblem(expr);
  if (problem) throw new PromqlError(problem, expr);
  return expr;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parses a plain vector selector such as `llm_requests_total{hop="engine",code=~"5.."}`.
 * Anything else (functions, ranges, operators) is refused: SLIs are selectors, the generator
 * adds the rate() and sum() itself.
 */
export function parseSelector(text: string): Selector | string {
  const src = text.trim();
  const brace = src.indexOf('{');
  const metric = (brace === -1 ? src : src.slice(0, brace)).trim();
  if (!NAME.test(metric))
    return `not a vector selector (expected metric_name{label="value",...}): ${JSON.stringify(text)}`;
  const matchers: Matcher[] = [];
  if (brace !== -1) {
    if (!src.endsWith('}')) return `unterminated "{" in selector ${JSON.stringify(text)}`;
    const body = src.slice(brace + 1, -1);
    const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
    let pos = 0;
    while (pos < body.length) {
      re.lastIndex = pos;
      const m = re.exec(body);
      if (!m)
        return `bad label matcher near ${JSON.stringify(body.slice(pos))} in ${JSON.stringify(text)}`;
      matchers.push({
        name: m[1] as string,
        op: m[2] as MatchOp,
        value: JSON.parse(`"${m[3] as string}"`) as string,
      });
      pos = re.lastIndex;
      if (body.slice(pos).trim() === '') break;
    }
  }
  return { metric, matchers };
}

export function quote(value: string): string {
  return JSON.stringify(value);
}

export function formatSelector(sel: Selector): string {
  if (!sel.matchers.length) return sel.metric;
  return `${sel.metric}{${sel.matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',')}}`;
}

/** The selector with `name="value"` set (replacing an existing matcher on that label). */
export function withMatcher(
  sel: Selector,
  name: string,
  value: string,
  op: MatchOp = '=',
): Selector {
  if (!LABEL_NAME.test(name)) throw new PromqlError('bad label name', name);
  return {
    metric: sel.metric,
    matchers: [...sel.matchers.filter((m) => m.name !== name), { name, op, value }],
  };
}

export function renamed(sel: Selector, metric: string): Selector {
  return { metric, matchers: sel.matchers };
}

/** Prometheus float formatting that round-trips: 0.5 → "0.5", 1 → "1". */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new PromqlError('not a finite number', String(n));
  return String(Math.round(n * 1e12) / 1e12);
}

/**
 * `le` matcher for a classic bucket. Prometheus 3 rewrites integer bounds to "1.0", older
 * exporters print "1"; a regex matches both (pyrra-dev/pyrra#1611).
 */
export function leMatcher(thresholdSeconds: number): Matcher {
  const s = num(thresholdSeconds);
  if (/^\d+$/.test(s)) return { name: 'le', op: '=~', value: `${s}(\\.0)?` };
  return { name: 'le', op: '=', value: s };
}

export const sumRate = (sel: Selector, range: string) =>
  `sum(rate(${formatSelector(sel)}[${range}]))`;
export const sumIncrease = (sel: Selector, range: string) =>
  `sum(increase(${formatSelector(sel)}[${range}]))`;

export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${quote(labels[k] as string)}`).join(',')}}`;
}
