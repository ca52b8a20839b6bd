// The deploy plan: per node, the exact ssh/scp commands that copy what `render` wrote and
// install it. Pure: builds argv arrays, runs nothing (run.ts executes or prints them).
import type { Inventory, InventoryNode } from '../inventory/schema';
import { GRAFANA_PROVISIONING_DIR, DEFAULT_DASHBOARDS_PATH } from '../render/grafana';
import { INVENTORY_FILE, SYSTEMD_DIR, nodeHealthUrl } from '../render/systemd';
import { RenderError } from '../render/errors';

/** Folder on the node the files are copied to before install.sh moves them into place. */
export const REMOTE_STAGING = '/tmp/okome-deploy';

export interface DeployOptions {
  /** Output folder of `okome-provision render --target all` (local). */
  renderDir: string;
  /** Inventory file to install as /etc/okome/inventory.yaml (local). */
  inventoryFile: string;
  /** Local folder of the dashboards JSON (for nodes that run Grafana). */
  dashboardsDir?: string;
  /** Node ids to deploy; all when empty. */
  nodes?: string[];
  /** SSH user; default the inventory's deploy.user. */
  user?: string;
  /** Extra `-o` options for ssh/scp, e.g. StrictHostKeyChecking=accept-new. */
  sshOptions?: string[];
}

export interface DeployStep {
  what: string;
  argv: string[];
}

export interface NodePlan {
  node: string;
  host: string;
  steps: DeployStep[];
}

/** Nodes to deploy, in inventory order; unknown ids are an error naming them. */
export function selectNodes(inv: Inventory, ids: string[] = []): InventoryNode[] {
  if (!ids.length) return inv.nodes;
  const unknown = ids.filter((id) => !inv.nodes.some((n) => n.id === id));
  if (unknown.length)
    throw new RenderError(
      `--nodes: unknown node${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} in inventory "${inv.cluster}" (has ${inv.nodes.map((n) => n.id).join(', ')})`,
    );
  return inv.nodes.filter((n) => ids.includes(n.id));
}

/** POSIX shell quoting for the remote command line and for printing. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function deployPlan(inv: Inventory, opts: DeployOptions): NodePlan[] {
  const user = opts.user ?? inv.deploy.user;
  const port = String(inv.deploy.sshPort);
  const common = [
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    ...(opts.sshOptions ?? []).flatMap((o) => ['-o', o]),
  ];
  return selectNodes(inv, opts.nodes).map((node) => {
    const target = `${user}@${node.address}`;
    const staging = `${REMOTE_STAGING}/${node.id}`;
    const ssh = (what: string, remote: string): DeployStep => ({
      what,
      argv: ['ssh', '-p', port, ...common, target, remote],
    });
    const scp = (what: string, from: string, to: string, recursive = false): DeployStep => ({
      what,
      argv: ['scp', '-P', port, ...common, ...(recursive ? ['-r'] : []), from, `${target}:${to}`],
    });
    const runsGrafana = node.services.some((s) => s.kind === 'grafana');
    const steps: DeployStep[] = [
      ssh('prepare the staging folder', `rm -rf ${staging} && mkdir -p ${REMOTE_STAGING}`),
      scp(
        'copy the node folder',
        `${opts.renderDir}/${SYSTEMD_DIR}/${node.id}`,
        `${REMOTE_STAGING}/`,
        true,
      ),
      scp('copy the inventory', opts.inventoryFile, `${staging}/inventory.yaml`),
    ];
    if (runsGrafana) {
      steps.push(
        scp(
          'copy Grafana provisioning',
          `${opts.renderDir}/${GRAFANA_PROVISIONING_DIR}`,
          `${staging}/grafana-provisioning`,
          true,
        ),
      );
      if (opts.dashboardsDir)
        steps.push(scp('copy the dashboards', opts.dashboardsDir, `${staging}/dashboards`, true));
    }
    const install = [
      `sudo install -D -m 0644 ${staging}/inventory.yaml ${INVENTORY_FILE}`,
      `sudo sh ${staging}/install.sh`,
      ...(runsGrafana
        ? [
            `sudo cp -R ${staging}/grafana-provisioning/. /etc/grafana/provisioning/`,
            ...(opts.dashboardsDir
              ? [
                  `sudo install -d ${DEFAULT_DASHBOARDS_PATH}`,
                  `sudo cp ${staging}/dashboards/*.json ${DEFAULT_DASHBOARDS_PATH}/`,
                ]
              : []),
            'sudo systemctl restart grafana-server',
          ]
        : []),
    ].join(' && ');
    steps.push(ssh('install files and restart units', install));
    const health = nodeHealthUrl(inv, node.id);
    if (health)
      steps.push(ssh('check the node answers', `curl -fsS --max-time 10 -o /dev/null ${health}`));
    return { node: node.id, host: target, steps };
  });
}

/** A step as one copy-pasteable shell line. */
export function formatStep(step: DeployStep): string {
  return step.argv.map(shellQuote).join(' ');
}
