import { formatSelector, leMatcher, parseSelector, promqlProblem, withMatcher } from './promql';

describe('selectors', () => {
  it('parses and formats a selector with every matcher kind', () => {
    const sel = parseSelector(
      'llm_requests_total{hop="engine", code=~"5..",model!="x",le!~"a\\"b"}',
    );
    expect(sel).toEqual({
      metric: 'llm_requests_total',
      matchers: [
        { name: 'hop', op: '=', value: 'engine' },
        { name: 'code', op: '=~', value: '5..' },
        { name: 'model', op: '!=', value: 'x' },
        { name: 'le', op: '!~', value: 'a"b' },
      ],
    });
    expect(formatSelector(withMatcher(sel as never, 'hop', 'ingress'))).toBe(
      'llm_requests_total{code=~"5..",model!="x",le!~"a\\"b",hop="ingress"}',
    );
  });

  it('refuses anything but a plain selector, saying what it expected', () => {
    expect(parseSelector('sum(rate(x[5m]))')).toMatch(/^not a vector selector/);
    expect(parseSelector('x{a="b"')).toMatch(/unterminated "\{"/);
    expect(parseSelector('x{a=b}')).toMatch(/bad label matcher near "a=b"/);
  });

  it('matches integer bucket bounds written either way (Prometheus 3 writes 1.0)', () => {
    expect(leMatcher(1)).toEqual({ name: 'le', op: '=~', value: '1(\\.0)?' });
    expect(leMatcher(0.005)).toEqual({ name: 'le', op: '=', value: '0.005' });
  });
});

describe('promqlProblem', () => {
  it('accepts what Prometheus accepts and points at what it does not', () => {
    expect(promqlProblem('sum(rate(x{a="b"}[5m])) / sum(rate(y[5m])) > 14.4')).toBeUndefined();
    expect(promqlProblem('sum(rate(x[5m]) /')).toMatch(/syntax error/);
    expect(promqlProblem('')).toBe('empty expression');
  });
});
