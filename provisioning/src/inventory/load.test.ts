import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, formatProblem } from './errors';
import { loadInventory, parseInventory } from './load';

// Line numbers in the expectations below refer to this text (line 1 = `cluster: t`).
const VALID = `cluster: t
nodes:
  - id: edge
    hostname: edge
    address: 10.0.0.1
    roles: [ingress, observability]
    services:
      - { name: nginx, kind: nginx, port: 8080 }
      - { name: prometheus, kind: prometheus, port: 9090 }
  - id: gpu
    hostname: gpu
    address: 10.0.0.2
    roles: [gpu-worker]
    services:
      - { name: ollama, kind: ollama, port: 11434 }
routing:
  pools:
    - name: engine
      hop: engine
      frontends: [edge]
      listenPort: 8000
      failTimeout: 30s
      backends:
        - { node: gpu, service: ollama }
budgets:
  hops:
    - { hop: engine, signal: first-token, threshold: 500ms }
`;

/** VALID with line `n` (1-based) replaced. */
function withLine(n: number, line: string): string {
  const lines = VALID.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

function problemsOf(text: string): string[] {
  const result = parseInventory(text, 'okome.yaml');
  expect(result.inventory).toBeUndefined();
  return result.problems.map(formatProblem);
}

describe('parseInventory', () => {
  it('accepts a valid inventory and applies defaults', () => {
    const { inventory, problems } = parseInventory(VALID, 'okome.yaml');
    expect(problems).toEqual([]);
    expect(inventory?.nodes[1]?.exporterPort).toBe(9464);
    expect(inventory?.routing.pools[0]?.maxFails).toBe(2);
  });

  it('names an unknown role with the roles it expected, at the role', () => {
    expect(problemsOf(withLine(6, '    roles: [ingress, cahce]'))).toEqual([
      // Without its observability role the cluster has none left; that is reported too.
      'okome.yaml:3:3 nodes: no node has the "observability" role (Prometheus and Alertmanager run there)',
      'okome.yaml:6:22 nodes[0].roles[1]: unknown role "cahce" (expected one of ingress, gateway, cache, stream, gpu-core, gpu-speculative, gpu-worker, cpu-worker, observability)',
    ]);
  });

  it('reports a duplicate node id at the second id', () => {
    expect(problemsOf(withLine(10, '  - id: edge'))).toEqual(
      expect.arrayContaining([
        'okome.yaml:10:9 nodes[1].id: duplicate node id "edge" (also nodes[0])',
      ]),
    );
  });

  it('reports a duplicate address:port at the second port', () => {
    const text = withLine(12, '    address: 10.0.0.1').replace('port: 11434', 'port: 9090');
    expect(problemsOf(text)).toEqual([
      // Both exporters default to :9464; the default has no line of its own, so the node is named.
      'okome.yaml:10:5 nodes[1].exporterPort: duplicate address:port 10.0.0.1:9464 (gpu/exporter and edge/exporter)',
      'okome.yaml:15:45 nodes[1].services[0].port: duplicate address:port 10.0.0.1:9090 (gpu/ollama and edge/prometheus)',
    ]);
  });

  it('reports the exporter port clashing with a service', () => {
    const text = withLine(13, '    roles: [gpu-worker]\n    exporterPort: 11434');
    expect(problemsOf(text)).toEqual([
      'okome.yaml:14:19 nodes[1].exporterPort: duplicate address:port 10.0.0.2:11434 (gpu/exporter and gpu/ollama)',
    ]);
  });

  it('reports the controller port clashing with a service on its node', () => {
    const text = `${VALID}observability:\n  controller: { node: edge, port: 9090 }\n`;
    expect(problemsOf(text)).toEqual([
      'okome.yaml:29:35 observability.controller.port: duplicate address:port 10.0.0.1:9090 (edge/controller and edge/prometheus)',
    ]);
  });

  it('reports a pool pointing at a missing node or service', () => {
    expect(problemsOf(withLine(24, '        - { node: gpu-9, service: ollama }'))).toEqual([
      'okome.yaml:24:19 routing.pools[0].backends[0].node: unknown node "gpu-9"',
    ]);
    expect(problemsOf(withLine(24, '        - { node: gpu, service: vllm }'))).toEqual([
      'okome.yaml:24:33 routing.pools[0].backends[0].service: node "gpu" has no service "vllm" (has ollama)',
    ]);
    expect(problemsOf(withLine(20, '      frontends: [edge, edge-2]'))).toEqual([
      'okome.yaml:20:25 routing.pools[0].frontends[1]: unknown node "edge-2"',
    ]);
  });

  it('says "not a duration" for a bad string and for a bare number', () => {
    expect(problemsOf(withLine(22, '      failTimeout: soon'))).toEqual([
      'okome.yaml:22:20 routing.pools[0].failTimeout: not a duration: "soon" (expected e.g. 500ms, 30s, 5m, 28d)',
    ]);
    expect(
      problemsOf(withLine(27, '    - { hop: engine, signal: first-token, threshold: 500 }')),
    ).toEqual([
      'okome.yaml:27:54 budgets.hops[0].threshold: not a duration: 500 (expected e.g. 500ms, 30s, 5m, 28d; did you mean "500s" or "500ms"?)',
    ]);
  });

  it('points a YAML syntax error at where the parser stopped', () => {
    const problems = problemsOf(withLine(6, '    roles: [ingress, observability'));
    expect(problems[0]).toMatch(/^okome\.yaml:7:\d+ YAML syntax error: /);
    expect(problems[0]).not.toMatch(/\n/);
  });

  it('reports a duplicate key as a YAML error', () => {
    const problems = problemsOf(withLine(5, '    address: 10.0.0.1\n    address: 10.0.0.9'));
    expect(problems).toEqual([
      expect.stringMatching(/^okome\.yaml:6:5 YAML syntax error: .*unique/),
    ]);
  });

  it('points an unknown field at its key', () => {
    expect(problemsOf(withLine(11, '    hostnme: gpu'))).toEqual([
      'okome.yaml:10:5 nodes[1].hostname: missing required field (string)',
      'okome.yaml:11:5 nodes[1].hostnme: unknown field "hostnme"',
    ]);
  });

  it('reports schema and cross-field problems together, in file order', () => {
    const text = withLine(6, '    roles: [ingress, cahce, observability]')
      .replace('  - id: gpu', '  - id: edge')

      .replace('threshold: 500ms', 'threshold: fast');
    expect(problemsOf(text).map((p) => p.split(' ').slice(0, 2).join(' '))).toEqual([
      'okome.yaml:6:22 nodes[0].roles[1]:',
      'okome.yaml:10:9 nodes[1].id:',
      // Node "gpu" is gone (renamed to a duplicate "edge"), so the backend names a missing node.
      'okome.yaml:24:19 routing.pools[0].backends[0].node:',
      'okome.yaml:27:54 budgets.hops[0].threshold:',
    ]);
  });

  it('requires a stickyKey for hash balancing and checks pool ports', () => {
    const text = withLine(21, '      listenPort: 9090\n      balance: hash');
    expect(problemsOf(text)).toEqual([
      'okome.yaml:18:7 routing.pools[0].stickyKey: required when balance is "hash" (e.g. $cookie_okome_session or $remote_addr)',
      'okome.yaml:21:19 routing.pools[0].listenPort: port 9090 on edge is already used by service edge/prometheus',
    ]);
  });

  it('explains an empty file', () => {
    expect(problemsOf('# nothing yet\n')).toEqual([
      'okome.yaml:1:1 empty file (expected cluster and nodes)',
    ]);
  });
});

describe('loadInventory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'okome-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('throws an InventoryError carrying every problem', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, withLine(6, '    roles: [cahce]'));
    let error: unknown;
    try {
      loadInventory(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InventoryError);
    const problems = (error as InventoryError).problems;
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(['broken.yaml:3', 'broken.yaml:6']);
  });

  it('names a missing file', () => {
    expect(() => loadInventory(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml:1:1 file not found/);
  });
});
