// Runs the real promtool on a folder of generated files: `check rules` on every *.rules.yml,
// `test rules` on every *.test.yml.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PromtoolStep {
  command: string;
  ok: boolean;
  output: string;
}
export interface PromtoolReport {
  ok: boolean;
  dir: string;
  ruleFiles: string[];
  testFiles: string[];
  check?: PromtoolStep;
  test?: PromtoolStep;
  error?: string;
}

export const promtoolBin = () => process.env.PROMTOOL ?? 'promtool';

function run(args: string[], cwd: string): PromtoolStep {
  const res = spawnSync(promtoolBin(), args, { cwd, encoding: 'utf8', timeout: 10 * 60_000 });
  const command = `${promtoolBin()} ${args.join(' ')}`;
  if (res.error)
    return {
      command,
      ok: false,
      output: `${(res.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'promtool not found (install the Debian package prometheus or set PROMTOOL)' : res.error.message}`,
    };
  return { command, ok: res.status === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

export function runPromtool(dir: string): PromtoolReport {
  if (!existsSync(dir))
    return { ok: false, dir, ruleFiles: [], testFiles: [], error: `no such folder: ${dir}` };
  const files = readdirSync(dir).sort();
  const ruleFiles = files.filter((f) => f.endsWith('.rules.yml'));
  const testFiles = files.filter((f) => f.endsWith('.test.yml'));
  if (!ruleFiles.length)
    return {
      ok: false,
      dir,
      ruleFiles,
      testFiles,
      error: `no *.rules.yml in ${dir} (run okome-slo generate first)`,
    };
  const check = run(['check', 'rules', ...ruleFiles], dir);
  const test = testFiles.length ? run(['test', 'rules', ...testFiles], dir) : undefined;
  return { ok: check.ok && (test?.ok ?? true), dir, ruleFiles, testFiles, check, test };
}

export { join };
