// What each real node needs, rendered from the inventory (replaces seed 000's role scripts and
// SSH orchestrator): systemd units for okome-exporter (with the node's collectors and taps),
// Prometheus and Alertmanager on the observability nodes, the controller, nginx pool files on
// the ingress frontends, and the seed's base tuning (sysctl, nofile limits). Each node gets a
// folder `systemd/<node>/` with `rootfs/` (files at their install paths), `install.sh` (what
// `okome-provision deploy` runs there) and a README saying what every file is.
// Pure: paths are the target node's, nothing here reads this machine.
import type { Inventory, InventoryNode, Service } from '../inventory/schema';
import { renderAlertmanagerConfig, renderAlertmanagerTemplate } from './alertmanager';
import type { AddressOptions } from './common';
import {
  exporterNodes,
  generatedHeader,
  nodeAddress,
  observabilityNodes,
  requireNode,
} from './common';
import { JOBS, TAP_NODE_FLAGS } from './conventions';
import type { RenderedFile } from './bundle';
import { renderNginxServer, renderNginxUpstream } from './nginx';
import { renderPrometheusConfig } from './prometheus';
import { alertmanagerTargets, renderFileSdTargets, targetJobs } from './targets';

export const SYSTEMD_DIR = 'systemd';
/** Where the okome release (built repository) lives on a node. */
export const OKOME_HOME = '/opt/okome';
export const OKOME_ETC = '/etc/okome';
export const OKOME_VAR = '/var/lib/okome';
export const NODE_BIN = '/usr/bin/node';
export const NOFILE = 65535;
export const DEFAULT_EXPORTER_USER = 'okome';

export interface SystemdRenderOptions extends AddressOptions {
  /** Bearer token file of the controller on the node (Alertmanager and controller read it). */
  controllerTokenFile?: string;
  pageWebhookUrl?: string;
  ticketWebhookUrl?: string;
  /** Hold-down before a drained backend returns (controller). */
  holdDown?: string;
}

/** Seed 000 "Base configuration": network tuning for many streaming connections. */
export const SYSCTL: readonly [string, string | number][] = [
  ['net.core.somaxconn', 4096],
  ['net.ipv4.tcp_tw_reuse', 1],
  ['net.ipv4.tcp_fin_timeout', 15],
  ['net.core.netdev_max_backlog', 16384],
  ['net.ipv4.tcp_max_syn_backlog', 8192],
  ['vm.swappiness', 10],
  ['fs.file-max', 2097152],
];

export const UNIT = {
  exporter: 'okome-exporter.service',
  prometheus: 'okome-prometheus.service',
  alertmanager: 'okome-alertmanager.service',
  controller: 'okome-controller.service',
} as const;

export const SYSCTL_FILE = '/etc/sysctl.d/99-okome-distributed.conf';
export const LIMITS_FILE = '/etc/security/limits.d/99-okome.conf';
export const NGINX_INCLUDE = '/etc/nginx/conf.d/okome.conf';
export const NGINX_DIR = '/etc/nginx/okome';
export const INVENTORY_FILE = `${OKOME_ETC}/inventory.yaml`;

const HOP_OF: Partial<Record<Service['kind'], { hop: string; format: string }>> = {
  nginx: { hop: 'ingress', format: 'auto' },
  haproxy: { hop: 'ingress', format: 'auto' },
  stream: { hop: 'cache', format: 'auto' },
  gateway: { hop: 'gateway', format: 'auto' },
  vllm: { hop: 'engine', format: 'sse' },
  ollama: { hop: 'engine', format: 'ndjson' },
};

const hashComment = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `# ${l}` : '#'))
    .join('\n') + '\n';

/** True when the node's exporter puts stream taps in front of some of its services. */
export function runsTaps(node: InventoryNode): boolean {
  return node.services.some((s) => HOP_OF[s.kind]);
}

/** Collectors the exporter runs on this node, as its roles and services imply. */
export function exporterCollectors(node: InventoryNode): string[] {
  const has = (kind: Service['kind']) => node.services.some((s) => s.kind === kind);
  const out: string[] = [];
  if (node.gpus.length) out.push('gpu');
  if (has('ollama')) out.push('ollama');
  if (has('redis')) out.push('redis');
  if (runsTaps(node)) out.push('token_latency');
  out.push('probe');
  return out;
}

function unit(opts: {
  description: string;
  doc: string;
  exec: string[];
  user: string;
  after?: string[];
  extra?: string[];
  header: string;
}): string {
  const exec = opts.exec.map((a, i) => (i === 0 ? a : `    ${a}`)).join(' \\\n');
  return `${opts.header}[Unit]
Description=${opts.description}
Documentation=${opts.doc}
Wants=network-online.target
After=network-online.target${opts.after?.length ? ` ${opts.after.join(' ')}` : ''}

[Service]
Type=simple
User=${opts.user}
Group=${opts.user}
ExecStart=${exec}
Restart=on-failure
RestartSec=5s
LimitNOFILE=${NOFILE}
NoNewPrivileges=true
ProtectSystem=full
ProtectHome=true
PrivateTmp=true
${(opts.extra ?? []).join('\n')}${opts.extra?.length ? '\n' : ''}
[Install]
WantedBy=multi-user.target
`;
}

const DOC = 'https://github.com/okome/okome-observability/blob/main/docs/deploy.md';

export function renderExporterUnit(
  inv: Inventory,
  nodeId: string,
  opts: AddressOptions = {},
): string {
  const node = requireNode(inv, nodeId);
  const addr = nodeAddress(inv, node.id, opts);
  const collectors = exporterCollectors(node);
  const tapped = node.services.filter((s) => HOP_OF[s.kind]).map((s) => s.name);
  // Collectors, taps and their sources come from the inventory (--inventory/--node): the
  // exporter is their single source of truth, so the unit passes no per-collector flags.
  const header = generatedHeader(inv, `okome-exporter unit of ${node.id}`, [
    `Collectors (from the inventory): ${collectors.join(', ')}.`,
    ...(tapped.length
      ? [
          `Stream taps in front of: ${tapped.join(', ')} (list them: okome-exporter --print-config).`,
        ]
      : []),
    'Install: /etc/systemd/system/okome-exporter.service',
  ]);
  return unit({
    header,
    description: `OKOME exporter (${collectors.join(', ')}) on ${node.id}`,
    doc: DOC,
    user: DEFAULT_EXPORTER_USER,
    exec: [
      NODE_BIN,
      ...(runsTaps(node) ? TAP_NODE_FLAGS : []),
      `${OKOME_HOME}/exporters/dist/cli.js`,
      `--inventory=${INVENTORY_FILE}`,
      `--node=${node.id}`,
      `--web.listen-address=${addr}:${node.exporterPort}`,
    ],
    // nvidia-smi and the GPU device files need the video group.
    extra: node.gpus.length ? ['SupplementaryGroups=video'] : [],
  });
}

function peersOf(inv: Inventory, node: InventoryNode, opts: AddressOptions): string[] {
  return observabilityNodes(inv)
    .filter((n) => n.id !== node.id)
    .flatMap((n) =>
      n.services
        .filter((s) => s.kind === 'alertmanager')
        .map((s) => `--cluster.peer=${nodeAddress(inv, n.id, opts)}:${s.port + 1}`),
    );
}

function port(node: InventoryNode, kind: Service['kind'], fallback: number): number {
  return node.services.find((s) => s.kind === kind)?.port ?? fallback;
}

export function renderPrometheusUnit(
  inv: Inventory,
  nodeId: string,
  opts: AddressOptions = {},
): string {
  const node = requireNode(inv, nodeId);
  const addr = nodeAddress(inv, node.id, opts);
  return unit({
    header: generatedHeader(inv, `Prometheus unit of ${node.id} (HA pair member)`, [
      'Install: /etc/systemd/system/okome-prometheus.service',
    ]),
    description: `Prometheus ${node.id} (OKOME HA pair)`,
    doc: DOC,
    user: 'prometheus',
    exec: [
      '/usr/bin/prometheus',
      `--config.file=${OKOME_ETC}/prometheus/${node.id}.yml`,
      `--storage.tsdb.path=${OKOME_VAR}/prometheus`,
      `--web.listen-address=${addr}:${port(node, 'prometheus', 9090)}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=30d',
    ],
    extra: [`StateDirectory=okome/prometheus`, 'ExecReload=/bin/kill -HUP $MAINPID'],
  });
}

export function renderAlertmanagerUnit(
  inv: Inventory,
  nodeId: string,
  opts: AddressOptions = {},
): string {
  const node = requireNode(inv, nodeId);
  const addr = nodeAddress(inv, node.id, opts);
  const web = port(node, 'alertmanager', 9093);
  return unit({
    header: generatedHeader(inv, `Alertmanager unit of ${node.id} (clustered)`, [
      'Gossip on the web port + 1 with every other observability node.',
      'Install: /etc/systemd/system/okome-alertmanager.service',
    ]),
    description: `Alertmanager ${node.id} (OKOME cluster)`,
    doc: DOC,
    user: 'prometheus',
    exec: [
      '/usr/bin/prometheus-alertmanager',
      `--config.file=${OKOME_ETC}/alertmanager/alertmanager.yml`,
      `--storage.path=${OKOME_VAR}/alertmanager`,
      `--web.listen-address=${addr}:${web}`,
      `--cluster.listen-address=${addr}:${web + 1}`,
      ...peersOf(inv, node, opts),
    ],
    extra: [`StateDirectory=okome/alertmanager`, 'ExecReload=/bin/kill -HUP $MAINPID'],
  });
}

export function renderControllerUnit(
  inv: Inventory,
  nodeId: string,
  opts: SystemdRenderOptions = {},
): string {
  const node = requireNode(inv, nodeId);
  const addr = nodeAddress(inv, node.id, opts);
  const ctlPort = inv.observability.controller?.port ?? 9700;
  const obs = observabilityNodes(inv);
  const prom = obs[0];
  return unit({
    header: generatedHeader(inv, `okome-controller unit on ${node.id}`, [
      "Single writer: run it on one node only (the inventory's observability.controller).",
      'Install: /etc/systemd/system/okome-controller.service',
    ]),
    description: `OKOME controller (routing, drills) on ${node.id}`,
    doc: DOC,
    user: 'okome',
    after: [UNIT.prometheus],
    exec: [
      NODE_BIN,
      `${OKOME_HOME}/controller/dist/cli.js`,
      `--inventory=${INVENTORY_FILE}`,
      `--state-dir=${OKOME_VAR}/controller`,
      `--listen=${addr}:${ctlPort}`,
      `--token-file=${opts.controllerTokenFile ?? `${OKOME_ETC}/controller.token`}`,
      ...(prom
        ? [
            `--prometheus=http://${nodeAddress(inv, prom.id, opts)}:${port(prom, 'prometheus', 9090)}`,
          ]
        : []),
      ...obs
        .filter((n) => n.services.some((s) => s.kind === 'alertmanager'))
        .map(
          (n) =>
            `--alertmanager=http://${nodeAddress(inv, n.id, opts)}:${port(n, 'alertmanager', 9093)}`,
        ),
      `--hold-down=${opts.holdDown ?? '60s'}`,
    ],
    // The nginx actuator rewrites pool files and reloads nginx on the frontends.
    extra: ['StateDirectory=okome/controller'],
  });
}

export function renderSysctl(inv: Inventory): string {
  return (
    generatedHeader(inv, 'Kernel tuning (seed 000 base configuration)', [
      `Install: ${SYSCTL_FILE}; apply: sysctl -p ${SYSCTL_FILE}`,
    ]) +
    SYSCTL.map(([k, v]) => `${k} = ${v}`).join('\n') +
    '\n'
  );
}

export function renderLimits(inv: Inventory): string {
  return (
    generatedHeader(inv, 'File descriptor limits for streaming (seed 000)', [
      `Install: ${LIMITS_FILE}. systemd services take LimitNOFILE from their unit instead.`,
    ]) +
    ['*', 'root']
      .flatMap((who) => [`${who} soft nofile ${NOFILE}`, `${who} hard nofile ${NOFILE}`])
      .join('\n') +
    '\n'
  );
}

function nginxInclude(inv: Inventory): string {
  return (
    generatedHeader(inv, 'nginx pools of the OKOME routing (http context)', [
      `Upstreams are rewritten by okome-controller on drain/disable; servers are static.`,
    ]) + `include ${NGINX_DIR}/upstreams/*.conf;\ninclude ${NGINX_DIR}/servers/*.conf;\n`
  );
}

/** Frontends of the pools this node serves. */
function poolsFrontedBy(inv: Inventory, nodeId: string) {
  return inv.routing.pools.filter((p) => p.frontends.includes(nodeId));
}

/** The units this node runs, in start order. */
export function nodeUnits(inv: Inventory, nodeId: string): string[] {
  const node = requireNode(inv, nodeId);
  const units: string[] = [];
  if (exporterNodes(inv).some((n) => n.id === node.id)) units.push(UNIT.exporter);
  if (node.services.some((s) => s.kind === 'prometheus')) units.push(UNIT.prometheus);
  if (node.services.some((s) => s.kind === 'alertmanager')) units.push(UNIT.alertmanager);
  if (controllerNodeId(inv) === node.id) units.push(UNIT.controller);
  return units;
}

export function controllerNodeId(inv: Inventory): string | undefined {
  return inv.observability.controller?.node ?? observabilityNodes(inv)[0]?.id;
}

/** URL the node's health check asks (on the node itself): exporter, else Prometheus. */
export function nodeHealthUrl(
  inv: Inventory,
  nodeId: string,
  opts: AddressOptions = {},
): string | undefined {
  const node = requireNode(inv, nodeId);
  const addr = nodeAddress(inv, node.id, opts);
  if (exporterNodes(inv).some((n) => n.id === node.id))
    return `http://${addr}:${node.exporterPort}/-/ready`;
  if (node.services.some((s) => s.kind === 'prometheus'))
    return `http://${addr}:${port(node, 'prometheus', 9090)}/-/ready`;
  return undefined;
}

interface Placed {
  /** Install path on the node. */
  target: string;
  content: string;
  mode?: string;
  what: string;
}

function placedFiles(inv: Inventory, node: InventoryNode, opts: SystemdRenderOptions): Placed[] {
  const out: Placed[] = [
    { target: SYSCTL_FILE, content: renderSysctl(inv), what: 'kernel network tuning (seed 000)' },
    {
      target: LIMITS_FILE,
      content: renderLimits(inv),
      what: `nofile ${NOFILE} for login sessions`,
    },
  ];
  const units = nodeUnits(inv, node.id);
  const tokenFile = opts.controllerTokenFile ?? `${OKOME_ETC}/controller.token`;
  if (units.includes(UNIT.exporter))
    out.push({
      target: `/etc/systemd/system/${UNIT.exporter}`,
      content: renderExporterUnit(inv, node.id, opts),
      what: `okome-exporter: ${exporterCollectors(node).join(', ')}`,
    });
  if (units.includes(UNIT.prometheus)) {
    out.push(
      {
        target: `/etc/systemd/system/${UNIT.prometheus}`,
        content: renderPrometheusUnit(inv, node.id, opts),
        what: 'Prometheus (HA pair member)',
      },
      {
        target: `${OKOME_ETC}/prometheus/${node.id}.yml`,
        content: renderPrometheusConfig(inv, {
          node: node.id,
          targetsDir: 'targets',
          rulesDir: `${OKOME_ETC}/rules`,
          alertmanagers: alertmanagerTargets(inv, opts),
          loopback: opts.loopback,
        }),
        what: 'Prometheus config (replica label = this node)',
      },
      ...targetJobs(inv).map((job) => ({
        target: `${OKOME_ETC}/prometheus/targets/${JOBS[job].file}`,
        content: renderFileSdTargets(inv, job, opts),
        what: `file_sd targets of job ${JOBS[job].job}`,
      })),
    );
  }
  if (units.includes(UNIT.alertmanager))
    out.push(
      {
        target: `/etc/systemd/system/${UNIT.alertmanager}`,
        content: renderAlertmanagerUnit(inv, node.id, opts),
        what: 'Alertmanager (clustered)',
      },
      {
        target: `${OKOME_ETC}/alertmanager/alertmanager.yml`,
        content: renderAlertmanagerConfig(inv, {
          controllerUrl: controllerBaseUrl(inv, opts),
          tokenFile,
          templateFiles: [`${OKOME_ETC}/alertmanager/okome.tmpl`],
          pageWebhookUrl: opts.pageWebhookUrl,
          ticketWebhookUrl: opts.ticketWebhookUrl,
        }),
        what: 'Alertmanager routes (controller, pages, tickets)',
      },
      {
        target: `${OKOME_ETC}/alertmanager/okome.tmpl`,
        content: renderAlertmanagerTemplate(inv),
        what: 'notification templates',
      },
    );
  if (units.includes(UNIT.controller))
    out.push({
      target: `/etc/systemd/system/${UNIT.controller}`,
      content: renderControllerUnit(inv, node.id, opts),
      what: 'okome-controller (single writer)',
    });
  const pools = poolsFrontedBy(inv, node.id);
  if (pools.length) {
    out.push({
      target: NGINX_INCLUDE,
      content: nginxInclude(inv),
      what: 'nginx include of the pools',
    });
    for (const pool of pools)
      out.push(
        {
          target: `${NGINX_DIR}/upstreams/${pool.name}.conf`,
          content: renderNginxUpstream(inv, pool.name, {}, opts),
          what: `nginx upstream of pool ${pool.name} (the controller rewrites it)`,
        },
        {
          target: `${NGINX_DIR}/servers/${pool.name}.conf`,
          content: renderNginxServer(inv, pool.name, node.id, opts),
          what: `nginx server of pool ${pool.name} on port ${pool.listenPort}`,
        },
      );
  }
  return out;
}

function controllerBaseUrl(inv: Inventory, opts: AddressOptions): string {
  const id = controllerNodeId(inv);
  const port = inv.observability.controller?.port ?? 9700;
  return id ? `http://${nodeAddress(inv, id, opts)}:${port}` : `http://127.0.0.1:${port}`;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script deploy runs on the node (as root, from the copied folder). */
export function renderInstallScript(
  inv: Inventory,
  nodeId: string,
  opts: SystemdRenderOptions = {},
): string {
  const node = requireNode(inv, nodeId);
  const files = placedFiles(inv, node, opts);
  const units = nodeUnits(inv, node.id);
  const needsToken = units.includes(UNIT.controller) || units.includes(UNIT.alertmanager);
  const tokenFile = opts.controllerTokenFile ?? `${OKOME_ETC}/controller.token`;
  const lines = [
    '#!/bin/sh',
    hashComment(
      `Installs the OKOME files of ${node.id} (cluster "${inv.cluster}") and (re)starts its units.\n` +
        'Generated by okome-provision — do not edit. Run as root from this folder: sh install.sh',
    ).trimEnd(),
    'set -eu',
    'cd "$(dirname "$0")"',
    '',
    `id -u okome >/dev/null 2>&1 || useradd --system --home-dir ${OKOME_VAR} --shell /usr/sbin/nologin okome`,
    `install -d -m 0755 ${OKOME_ETC} ${OKOME_VAR}`,
    `test -f ${INVENTORY_FILE} || { echo "${node.id}: ${INVENTORY_FILE} is missing (deploy copies it)" >&2; exit 1; }`,
    `test -d ${OKOME_HOME} || { echo "${node.id}: the okome release is not installed in ${OKOME_HOME}" >&2; exit 1; }`,
    ...(needsToken
      ? [
          `test -s ${tokenFile} || { echo "${node.id}: ${tokenFile} is missing: put the controller token there (mode 0640, group prometheus)" >&2; exit 1; }`,
        ]
      : []),
    '',
    ...files.map((f) => `install -D -m ${f.mode ?? '0644'} rootfs${f.target} ${f.target}`),
    '',
    `sysctl -p ${SYSCTL_FILE} >/dev/null`,
    ...(units.length
      ? [
          'systemctl daemon-reload',
          ...units.map((u) => `systemctl enable ${u}`),
          ...units.map((u) => `systemctl restart ${u}`),
        ]
      : []),
    ...(poolsFrontedBy(inv, node.id).length ? ['nginx -t', 'systemctl reload nginx'] : []),
    `echo ${q(`${node.id}: installed ${files.length} files${units.length ? `, restarted ${units.join(' ')}` : ''}`)}`,
  ];
  return lines.join('\n') + '\n';
}

function renderNodeReadme(inv: Inventory, node: InventoryNode, opts: SystemdRenderOptions): string {
  const files = placedFiles(inv, node, opts);
  const units = nodeUnits(inv, node.id);
  const health = nodeHealthUrl(inv, node.id, opts);
  return `# ${node.id} (${node.hostname}, ${nodeAddress(inv, node.id, opts)}) — cluster ${inv.cluster}

Generated by \`okome-provision render --target systemd\` from the inventory; do not edit.
Roles: ${node.roles.join(', ')}.${node.description ? ` ${node.description}.` : ''}

\`okome-provision deploy\` copies this folder to the node and runs \`sudo sh install.sh\`, which
installs every file below at its path, applies the sysctl settings, enables and restarts
${units.length ? units.map((u) => `\`${u}\``).join(', ') : 'no OKOME unit'}${poolsFrontedBy(inv, node.id).length ? ', and checks and reloads nginx' : ''}.
Before: the okome release in \`${OKOME_HOME}\` (\`npm ci && npm run build\`), Node 20 at \`${NODE_BIN}\`${units.includes(UNIT.prometheus) ? ', Debian packages prometheus and prometheus-alertmanager' : ''}${poolsFrontedBy(inv, node.id).length ? ', nginx' : ''}.
${health ? `Health check after install: \`curl -fsS ${health}\`.` : ''}

| file (in rootfs/) | what |
|---|---|
${files.map((f) => `| \`${f.target}\` | ${f.what} |`).join('\n')}
`;
}

/** Every node's folder: `systemd/<node>/{rootfs/…, install.sh, README.md}`. */
export function renderSystemd(inv: Inventory, opts: SystemdRenderOptions = {}): RenderedFile[] {
  return inv.nodes.flatMap((node) => {
    const dir = `${SYSTEMD_DIR}/${node.id}`;
    return [
      ...placedFiles(inv, node, opts).map((f) => ({
        path: `${dir}/rootfs${f.target}`,
        content: f.content,
      })),
      { path: `${dir}/install.sh`, content: renderInstallScript(inv, node.id, opts) },
      { path: `${dir}/README.md`, content: renderNodeReadme(inv, node, opts) },
    ];
  });
}
