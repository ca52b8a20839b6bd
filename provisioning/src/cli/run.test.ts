import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVENTORY_DIR } from '../inventory/query';
import { EXIT, runProvision } from './run';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'okome-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = runProvision(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: dir });
  return { code, out, err };
}

const BROKEN = `cluster: broken
nodes:
  - id: a
    hostname: a
    address: 10.0.0.1
    roles: [cahce, observability]
  - id: a
    hostname: b
    address: 10.0.0.2
    roles: [ingress]
routing:
  pools:
    - name: p
      hop: ingress
      frontends: [b]
      listenPort: 8080
      failTimeout: 30
      backends: [{ node: a, service: web }]
`;

describe('okome-provision validate', () => {
  it('accepts the five shipped inventories by name, exit 0', () => {
    const r = cli('validate', 'okome', 'kage-bunshin', 'garage-ai', 'blackroad', 'brain-in-jar');
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.trim().split('\n')).toHaveLength(5);
    expect(r.out).toContain('ok (cluster okome, 12 nodes, 2 pools)');
  });

  it('prints every problem as FILE:LINE:COL PATH: message and exits 1, no stack trace', () => {
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const r = cli('validate', 'broken.yaml');
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^broken\.yaml:6:13 nodes\[0\]\.roles\[0\]: unknown role "cahce" \(expected one of ingress, /,
      ),
      'broken.yaml:7:9 nodes[1].id: duplicate node id "a" (also nodes[0])',
      'broken.yaml:15:19 routing.pools[0].frontends[0]: unknown node "b"',
      'broken.yaml:17:20 routing.pools[0].failTimeout: not a duration: 30 (expected e.g. 500ms, 30s, 5m, 28d; did you mean "30s" or "30ms"?)',
      'broken.yaml:18:38 routing.pools[0].backends[0].service: node "a" has no service "web" (has none)',
    ]);
    expect(r.err).toBe('5 problems found\n');
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
  });

  it('reports a YAML syntax error with its position', () => {
    writeFileSync(join(dir, 'syntax.yaml'), 'cluster: x\nnodes: [\n');
    const r = cli('validate', 'syntax.yaml');
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toMatch(/^syntax\.yaml:\d+:\d+ YAML syntax error: /);
  });

  it('validates several files and fails if any fails', () => {
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const r = cli('validate', 'okome', 'broken.yaml');
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toMatch(/okome\.yaml: ok/);
  });

  it('names a file that does not exist', () => {
    const r = cli('validate', 'nope.yaml');
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toBe(
      'nope.yaml:1:1 no such file, and not a shipped inventory name (okome, kage-bunshin, garage-ai, blackroad, brain-in-jar)\n',
    );
  });

  it('--json gives the problems as data', () => {
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const r = cli('validate', '--json', 'broken.yaml', 'okome');
    expect(r.code).toBe(EXIT.invalid);
    const report = JSON.parse(r.out) as {
      valid: boolean;
      files: {
        file: string;
        valid: boolean;
        problems: { line: number; column: number; path: string }[];
      }[];
    };
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => f.valid)).toEqual([false, true]);
    expect(report.files[0]?.problems[1]).toMatchObject({
      file: 'broken.yaml',
      line: 7,
      column: 9,
      path: 'nodes[1].id',
    });
  });

  it('--help and usage errors', () => {
    expect(cli('validate', '--help')).toMatchObject({
      code: EXIT.ok,
      out: expect.stringContaining('FILE:LINE:COL'),
    });
    expect(cli('validate')).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('at least one FILE'),
    });
    expect(cli('validate', '--bogus', 'okome')).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining("'--bogus'"),
    });
  });
});

describe('okome-provision render', () => {
  it('writes the Prometheus pair, targets, Alertmanager and nginx for a shipped name', () => {
    const r = cli(
      'render',
      '--inventory',
      'okome',
      '--out',
      'out',
      '--loopback',
      '--rules-dir',
      'rules',
    );
    expect(r.code).toBe(EXIT.ok);
    for (const f of [
      'prometheus/NODE-09.yml',
      'prometheus/NODE-10.yml',
      'prometheus/targets/exporters.json',
      'alertmanager/alertmanager.yml',
      'alertmanager/okome.tmpl',
      'nginx/NODE-01/nginx.conf',
      'nginx/NODE-01/upstreams/engine.conf',
      'nginx/NODE-02/servers/stream.conf',
    ])
      expect(existsSync(join(dir, 'out', f))).toBe(true);
    expect(readFileSync(join(dir, 'out/prometheus/NODE-10.yml'), 'utf8')).toContain(
      `${join(dir, 'rules')}/*.rules.yml`,
    );
    expect(readFileSync(join(dir, 'out/nginx/NODE-01/servers/engine.conf'), 'utf8')).toContain(
      'listen 127.0.86.41:8000;',
    );
    expect(r.out).toContain('21 files for cluster okome');
  });

  it('reads the controller token file and URL flags', () => {
    cli(
      'render',
      '--inventory',
      'kage-bunshin',
      '--out',
      'out',
      '--controller-token-file',
      'secrets/token',
      '--controller-url',
      'http://127.0.0.1:9999',
    );
    const am = readFileSync(join(dir, 'out/alertmanager/alertmanager.yml'), 'utf8');
    expect(am).toContain(`credentials_file: ${join(dir, 'secrets/token')}`);
    expect(am).toContain('url: http://127.0.0.1:9999/api/v1/alerts');
  });

  it('--json lists the files', () => {
    const r = cli(
      'render',
      '--inventory',
      join(INVENTORY_DIR, 'blackroad.yaml'),
      '--out',
      'out',
      '--json',
    );
    const report = JSON.parse(r.out) as { cluster: string; files: string[] };
    expect(report.cluster).toBe('blackroad');
    expect(report.files).toContain('prometheus/shellfish.yml');
  });

  it('refuses an invalid inventory with its problems and writes nothing', () => {
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const r = cli('render', '--inventory', 'broken.yaml', '--out', 'out');
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toContain('broken.yaml:7:9 nodes[1].id: duplicate node id "a"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('explains missing flags and bad durations', () => {
    expect(cli('render', '--inventory', 'okome')).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('--out is required'),
    });
    expect(
      cli('render', '--inventory', 'okome', '--out', 'o', '--scrape-interval', '5'),
    ).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('--scrape-interval: not a duration: "5"'),
    });
    expect(cli('render', '--help')).toMatchObject({
      code: EXIT.ok,
      out: expect.stringContaining('--controller-token-file'),
    });
  });
});

describe('okome-provision', () => {
  it('prints help, and names an unknown command', () => {
    expect(cli('--help')).toMatchObject({
      code: EXIT.ok,
      out: expect.stringContaining('okome-provision validate'),
    });
    expect(cli()).toMatchObject({ code: EXIT.usage });
    expect(cli('destroy')).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('unknown command "destroy"'),
    });
  });
});
