// Everything the stack's servers read before they start: the controller token, the SLO and
// routing rules, and the Prometheus/Alertmanager configs rendered from the inventory.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderAll } from '../render/bundle';
import type { StackContext } from './components';
import { builtCli, controllerStateDir, controllerUrl } from './components';
import { REPO_ROOT } from './layout';
import { StackError } from './errors';

/** The bearer token Alertmanager and the plugin preview use to reach the controller. */
export function ensureControllerToken(tokenFile: string): void {
  if (existsSync(tokenFile)) return;
  mkdirSync(dirname(tokenFile), { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
}

/** SLO and routing rules from okome-slo, scaled for the simulator. */
function generateRules(ctx: StackContext, log: (line: string) => void): void {
  const cli = builtCli('alerting');
  if (!cli) {
    log('okome-slo is not built: Prometheus runs without SLO rules');
    return;
  }
  const spec = join(REPO_ROOT, 'alerting', 'slos', `${ctx.inventory.cluster}.yaml`);
  const args = [cli, 'generate', '--inventory', ctx.inventoryPath, '--out', ctx.layout.rules];
  if (existsSync(spec)) args.push('--spec', spec);
  if (ctx.timeScale !== 1) args.push('--time-scale', String(ctx.timeScale));
  log(`okome-slo ${args.slice(1).join(' ')}`);
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0)
    throw new StackError(
      `okome-slo generate failed (exit ${res.status}):\n${res.stderr || res.stdout}`,
    );
}

export async function prepareStack(ctx: StackContext, log: (line: string) => void): Promise<void> {
  ensureControllerToken(ctx.layout.tokenFile);
  if (ctx.sim) {
    // The simulator starts a fresh cluster (its nginx with every backend enabled), so routing
    // state, pending reverts and drills a previous controller recorded describe a cluster
    // that no longer exists.
    rmSync(controllerStateDir(ctx.layout), { recursive: true, force: true });
  }
  generateRules(ctx, log);
  const files = renderAll(ctx.inventory, {
    loopback: true,
    rulesDir: ctx.layout.rules,
    controllerUrl: controllerUrl(ctx.inventory),
    controllerTokenFile: ctx.layout.tokenFile,
    // The simulator plays incidents at `timeScale`× speed; scrape and evaluate every second.
    scrapeInterval: ctx.sim ? '1s' : undefined,
    evaluationInterval: ctx.sim ? '1s' : undefined,
    // Probes are real generations (seconds on a 72B); every 10 s still shows a recovered
    // backend well inside a drill's recovery window, where once a minute would not.
    probeInterval: ctx.sim ? '10s' : undefined,
    actionGroupInterval: ctx.sim ? '5s' : undefined,
  });
  for (const file of files) {
    const path = join(ctx.layout.config, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  log(`rendered ${files.length} config files into ${ctx.layout.config}`);
}
