// The built okome-exporter CLI as the stack runs it (exporters/dist/cli.js; `npx tsc -b
// exporters` first): --help, exit codes, readiness and a clean stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fakeTool } from './test-support/fixtures';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH, ...env },
  });

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -b exporters first`);
});

describe('okome-exporter CLI', () => {
  it('documents every flag with its env var', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--inventory=FILE',
      '--web.listen-address=ADDR',
      '--web.telemetry-path=PATH',
      '--[no-]collector.gpu',
      '--[no-]collector.ollama',
      '--gpu.nvidia-smi-path=PATH',
      '--gpu.budget=BUDGET',
      '--gpu.max-age=DURATION',
      '--ollama.url=URL',
      '--ollama.tap.listen=ADDR',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('[env OKOME_EXPORTER_OLLAMA_TAP_LISTEN]');
  });

  it('exits 2 naming the flag, the env var or the inventory line that is wrong', () => {
    const bogus = run(['--bogus']);
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toBe('okome-exporter: unknown flag --bogus (see --help)\n');
    const env = run(['--print-config'], { OKOME_EXPORTER_WEB_MAX_REQUESTS: 'lots' });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('OKOME_EXPORTER_WEB_MAX_REQUESTS: expected a number, got "lots"');
    const dir = mkdtempSync(join(tmpdir(), 'okome-cli-'));
    const inv = join(dir, 'bad.yaml');
    writeFileSync(
      inv,
      'cluster: x\nnodes:\n  - id: a\n    hostname: a\n    address: 127.0.0.1\n    roles: [gpu-cor]\n',
    );
    const bad = run(['--inventory', inv, '--node', 'a']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:6:\d+ nodes\[0\]\.roles\[0\]: unknown role "gpu-cor"/);
  });

  it('exits 2 naming the web TLS flag whose file is missing, before binding the port', () => {
    const r = run(['--collector.disable-defaults', '--web.listen-address', '127.0.0.1:0'], {
      OKOME_EXPORTER_TLS_SERVER_CERT_FILE: '/nonexistent/okome.crt',
      OKOME_EXPORTER_TLS_SERVER_KEY_FILE: '/nonexistent/okome.key',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^okome-exporter: --tls-server-cert-file: cannot read \/nonexistent\/okome\.crt: ENOENT/,
    );
    const help = run(['--help']);
    for (const flag of [
      '--tls-server-cert-file=FILE',
      '--tls-server-key-file=FILE',
      '--tls-server-ca-cert-file=FILE',
      '--tls-server-min-version=VERSION',
      '--basic-auth-username=USER',
      '--basic-auth-password=PASSWORD',
    ])
      expect(help.stdout).toContain(flag);
  });

  it('serves until SIGTERM, ready once listening, and exits 0', async () => {
    const tool = fakeTool(`case "$1" in
  --query-gpu=*) cat "${join(FIXTURES, 'nvidia-smi', 'query-gpu.multi.txt')}" ;;
  *) cat "${join(FIXTURES, 'nvidia-smi', 'compute-apps.multi.txt')}" ;;
esac`);
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--collector.disable-defaults',
        '--collector.gpu',
        `--gpu.nvidia-smi-path=${tool}`,
        '--web.listen-address=127.0.0.1:0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /msg=listening address=127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/-/ready`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('gpu_arbiter_up 1');
    expect(text).toContain('okome_exporter_build_info{version="0.1.0"');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = run([`--web.listen-address=127.0.0.1:${port}`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        `okome-exporter: cannot start: 127.0.0.1:${port} is already in use`,
      );
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
