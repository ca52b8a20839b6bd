// `okome-provision deploy`: render every target for the inventory (unless --no-render), then
// copy each node's folder over the system ssh/scp, install, restart and check it. --dry-run
// prints the exact commands and touches nothing (no render, no ssh).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from '../inventory/errors';
import { parseInventory } from '../inventory/load';
import { resolveInventoryPath } from '../inventory/query';
import { writeRendered } from '../cli/write';
import { RenderError } from '../render/errors';
import { renderTargets, RENDER_TARGETS } from '../render/targets-select';
import { deployPlan } from './plan';
import { formatSummary, runDeploy } from './run';
import type { StepRunner } from './run';

export const DEPLOY_HELP = `okome-provision deploy --inventory FILE|NAME [--nodes ID,...] [--user U] [--dry-run]

Renders everything for the inventory (configs, Grafana provisioning, per-node systemd sets)
into --from DIR, then for each node, over the system ssh/scp (key auth, BatchMode):
  copies systemd/<node>/ and the inventory to ${'/tmp/okome-deploy/<node>'}, runs its install.sh
  with sudo (files into place, sysctl, units enabled and restarted, nginx -t and reload), copies
  Grafana provisioning and dashboards to nodes that run Grafana, and checks the node answers
  (its exporter's /-/ready, or Prometheus's on observability nodes).
A node that fails is reported and the others go on. A summary ends the run.

Options:
  --inventory FILE|NAME  Inventory file or shipped cluster name (required)
  --nodes ID,...         Only these nodes (repeatable or comma-separated); default all
  --user U               SSH user (default: the inventory's deploy.user)
  --ssh-option OPT       Extra ssh/scp -o option, e.g. StrictHostKeyChecking=accept-new (repeatable)
  --from DIR             Rendered folder (default .okome/deploy/<cluster>)
  --no-render            Use --from as it is (rendered earlier with --target all)
  --dashboards DIR       Dashboards JSON for Grafana nodes (default: the repository's dashboards/)
  --dry-run              Print the exact commands; render nothing, run nothing
  --json                 Print the outcome per node as JSON
  -h, --help             Show this help

Exit codes: 0 every node ok (or planned), 1 a node failed or the inventory is invalid, 2 bad usage.
`;

export interface DeployCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd?: string;
  /** Tests inject a runner; the default runs ssh/scp. */
  runner?: StepRunner;
}

const REPO_DASHBOARDS = resolve(__dirname, '..', '..', '..', 'dashboards');

export function runDeployCommand(argv: string[], io: DeployCommandIo): number {
  const cwd = io.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        inventory: { type: 'string' },
        nodes: { type: 'string', multiple: true },
        user: { type: 'string' },
        'ssh-option': { type: 'string', multiple: true },
        from: { type: 'string' },
        'no-render': { type: 'boolean' },
        dashboards: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`okome-provision deploy: ${(err as Error).message}\n\n${DEPLOY_HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(DEPLOY_HELP);
    return 0;
  }
  if (!v.inventory) {
    io.err(`okome-provision deploy: --inventory is required\n\n${DEPLOY_HELP}`);
    return 2;
  }
  if (v.user !== undefined && !/^[a-z_][a-z0-9_.-]*$/i.test(v.user)) {
    io.err(`okome-provision deploy: --user: not a user name: "${v.user}"\n`);
    return 2;
  }
  const inventoryFile = existsSync(resolve(cwd, v.inventory))
    ? resolve(cwd, v.inventory)
    : resolveInventoryPath(v.inventory);
  if (!existsSync(inventoryFile)) {
    io.err(
      `okome-provision deploy: ${v.inventory}: no such file, and not a shipped inventory name\n`,
    );
    return 1;
  }
  const parsedInv = parseInventory(readFileSync(inventoryFile, 'utf8'), v.inventory);
  if (!parsedInv.inventory) {
    for (const p of parsedInv.problems) io.out(`${formatProblem(p)}\n`);
    io.err(`${v.inventory}: not deployed, the inventory has problems\n`);
    return 1;
  }
  const inv = parsedInv.inventory;
  const renderDir = resolve(cwd, v.from ?? join('.okome', 'deploy', inv.cluster));
  const dashboardsDir = resolve(cwd, v.dashboards ?? REPO_DASHBOARDS);
  const dryRun = Boolean(v['dry-run']);
  let plans;
  try {
    plans = deployPlan(inv, {
      renderDir,
      inventoryFile,
      dashboardsDir: existsSync(dashboardsDir) ? dashboardsDir : undefined,
      nodes: (v.nodes ?? [])
        .flatMap((n) => n.split(','))
        .map((n) => n.trim())
        .filter(Boolean),
      user: v.user,
      sshOptions: v['ssh-option'],
    });
  } catch (err) {
    if (err instanceof RenderError) {
      io.err(`okome-provision deploy: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const shown = relative(cwd, renderDir) || renderDir;
  // With --json, stdout is the report alone; progress notes go to stderr.
  const note = v.json ? io.err : io.out;
  if (!v['no-render']) {
    if (dryRun) note(`# would render ${RENDER_TARGETS.join(', ')} into ${shown}\n`);
    else {
      const files = renderTargets(inv, RENDER_TARGETS, {
        controllerTokenFile: '/etc/okome/controller.token',
      });
      writeRendered(renderDir, files);
      note(`rendered ${files.length} files into ${shown}\n`);
    }
  } else if (!dryRun && !existsSync(renderDir)) {
    io.err(
      `okome-provision deploy: --from ${shown}: no such folder (render it with --target all)\n`,
    );
    return 1;
  }
  const outcomes = runDeploy(plans, {
    dryRun,
    runner: io.runner,
    io: { out: v.json ? () => {} : io.out },
  });
  if (v.json)
    io.out(`${JSON.stringify({ cluster: inv.cluster, dryRun, nodes: outcomes }, null, 2)}\n`);
  else io.out(`\n${formatSummary(outcomes)}`);
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}
