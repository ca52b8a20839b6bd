import { parseOwnSpec } from './own';
import { formatSpecProblem } from '../problems';

const messages = (text: string) => parseOwnSpec(text, 'okome.yaml').problems.map(formatSpecProblem);

describe('okome-slo/v1 specs', () => {
  it('maps a valid spec with defaults filled in', () => {
    const { set, problems } = parseOwnSpec(
      `version: okome-slo/v1
cluster: okome
service: token-path
slos:
  - name: engine-availability
    objective: 99.5
    sli:
      events:
        bad: llm_request_failures_total{hop="engine"}
        total: llm_requests_total{hop="engine"}
`,
      'okome.yaml',
    );
    expect(problems).toEqual([]);
    expect(set?.slos[0]).toMatchObject({
      name: 'engine-availability',
      cluster: 'okome',
      period: '28d',
      runbookUrl: 'https://runbooks.okome.local/slo/engine-availability',
      alerting: { missingData: true, pageLabels: {}, ticketLabels: {} },
    });
  });

  it('reports every problem at once with file, line and path', () => {
    expect(
      messages(`version: okome-slo/v1
cluster: okome
slos:
  - name: Bad Name
    objective: 120
    sli:
      events:
        total: sum(rate(x[5m]))
  - name: ok
    service: s
    objective: 99
    labels: {slo: mine}
    sli:
      latency:
        histogram: h_seconds{le="0.5"}
        threshold: fast
    alerting:
      minEvents: -1
      colour: red
`),
    ).toEqual([
      'okome.yaml:4 slos[0].name: "Bad Name" is not a name (lower-case letters, digits, "-", "_", ".")',
      'okome.yaml:5 slos[0].objective: objective 120 is not a percent in (0, 100)',
      'okome.yaml:4 slos[0].service: missing service (set it here or at the top of the file)',
      'okome.yaml:8 slos[0].sli.events.total: not a vector selector (expected metric_name{label="value",...}): "sum(rate(x[5m]))"',
      'okome.yaml:8 slos[0].sli.events: give exactly one of bad or good (with total)',
      'okome.yaml:15 slos[1].sli.latency.histogram: do not match on "le"; set threshold instead',
      'okome.yaml:16 slos[1].sli.latency.threshold: expected seconds > 0 or a duration such as 500ms, got "fast"',
      'okome.yaml:19 slos[1].alerting.colour: unknown field "colour" (expected one of pageLabels, ticketLabels, missingData, minEvents)',
      'okome.yaml:18 slos[1].alerting.minEvents: expected a whole number ≥ 0 (0 turns the guard off)',
    ]);
  });

  it('rejects labels okome-slo sets itself and threshold queries that do not parse', () => {
    expect(
      messages(`version: okome-slo/v1
cluster: okome
service: s
slos:
  - name: a
    objective: 99
    labels: {slo: mine}
    sli:
      threshold: {query: "min(up", op: gte, value: 1}
`),
    ).toEqual([
      'okome.yaml:7 slos[0].labels.slo: label "slo" is set by okome-slo',
      expect.stringMatching(
        /^okome\.yaml:9 slos\[0\]\.sli\.threshold\.query: not valid PromQL: syntax error/,
      ),
    ]);
  });

  it('names a foreign format instead of failing field by field', () => {
    expect(messages('version: prometheus/v2\ncluster: x\nslos: []\n')).toEqual([
      'okome.yaml:1 version: unsupported version "prometheus/v2" (expected "okome-slo/v1"; use okome-slo import for Sloth or OpenSLO)',
    ]);
    expect(messages('version: okome-slo/v1\ncluster: [\n')[0]).toMatch(
      /^okome\.yaml:\d+ YAML syntax error/,
    );
  });
});
