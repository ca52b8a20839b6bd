// Everything `okome-provision render` writes, as a list of relative paths and texts. Pure:
// the CLI (or the stack launcher) writes them. Paths inside the configs are relative to the
// file that names them, as Prometheus, Alertmanager and nginx resolve them, so the output
// folder can be moved or copied to a node as it is.
import type { Inventory } from '../inventory/schema';
import { observabilityNodes } from './common';
import type { AddressOptions } from './common';
import { JOBS } from './conventions';
import type { TargetJob } from './conventions';
import { renderAlertmanagerConfig, renderAlertmanagerTemplate } from './alertmanager';
import { renderNginxMain, renderNginxServer, renderNginxUpstream } from './nginx';
import { renderPrometheusConfig } from './prometheus';
import { alertmanagerTargets, controllerUrl, renderFileSdTargets, targetJobs } from './targets';

export interface RenderedFile {
  /** Relative to the output folder, with `/` separators. */
  path: string;
  content: string;
}

export interface RenderAllOptions {
  loopback?: boolean;
  /** Absolute folder of alert rule files for Prometheus (okome-slo output). */
  rulesDir?: string;
  /** Bearer token file Alertmanager sends to the controller. */
  controllerTokenFile: string;
  /** Override the controller URL derived from `observability.controller`. */
  controllerUrl?: string;
  pageWebhookUrl?: string;
  ticketWebhookUrl?: string;
  scrapeInterval?: string;
  probeInterval?: string;
  actionGroupInterval?: string;
  evaluationInterval?: string;
}

export const DEFAULT_CONTROLLER_PORT = 9700;
export const TARGETS_DIR = 'targets';
export const ALERTMANAGER_TEMPLATE = 'okome.tmpl';

/** Controller URL: the inventory's, else the first observability node on the default port. */
export function resolveControllerUrl(
  inv: Inventory,
  opts: AddressOptions & { controllerUrl?: string },
): string {
  if (opts.controllerUrl) return opts.controllerUrl;
  const fromInventory = controllerUrl(inv, opts);
  if (fromInventory) return fromInventory;
  const [first] = observabilityNodes(inv);
  const fallback = {
    ...inv,
    observability: {
      ...inv.observability,
      controller: { node: first?.id ?? '', port: DEFAULT_CONTROLLER_PORT },
    },
  };
  return controllerUrl(fallback, opts) ?? `http://127.0.0.1:${DEFAULT_CONTROLLER_PORT}`;
}

export function renderAll(inv: Inventory, opts: RenderAllOptions): RenderedFile[] {
  const files: RenderedFile[] = [];
  const alertmanagers = alertmanagerTargets(inv, opts);
  for (const node of observabilityNodes(inv)) {
    files.push({
      path: `prometheus/${node.id}.yml`,
      content: renderPrometheusConfig(inv, {
        node: node.id,
        targetsDir: TARGETS_DIR,
        rulesDir: opts.rulesDir,
        alertmanagers,
        scrapeInterval: opts.scrapeInterval,
        probeInterval: opts.probeInterval,
        evaluationInterval: opts.evaluationInterval,
        loopback: opts.loopback,
      }),
    });
  }
  for (const job of targetJobs(inv) as TargetJob[])
    files.push({
      path: `prometheus/${TARGETS_DIR}/${JOBS[job].file}`,
      content: renderFileSdTargets(inv, job, opts),
    });

  files.push(
    {
      path: 'alertmanager/alertmanager.yml',
      content: renderAlertmanagerConfig(inv, {
        controllerUrl: resolveControllerUrl(inv, opts),
        tokenFile: opts.controllerTokenFile,
        templateFiles: [ALERTMANAGER_TEMPLATE],
        pageWebhookUrl: opts.pageWebhookUrl,
        ticketWebhookUrl: opts.ticketWebhookUrl,
        actionGroupInterval: opts.actionGroupInterval,
      }),
    },
    { path: `alertmanager/${ALERTMANAGER_TEMPLATE}`, content: renderAlertmanagerTemplate(inv) },
  );

  const frontends = [...new Set(inv.routing.pools.flatMap((p) => p.frontends))];
  for (const frontend of frontends) {
    const dir = `nginx/${frontend}`;
    files.push({
      path: `${dir}/nginx.conf`,
      content: renderNginxMain({
        prefix: '.',
        pidFile: 'nginx.pid',
        errorLog: 'error.log',
        accessLog: 'access.log',
        upstreamDir: 'upstreams',
        serverDir: 'servers',
      }),
    });
    for (const pool of inv.routing.pools.filter((p) => p.frontends.includes(frontend))) {
      files.push(
        {
          path: `${dir}/upstreams/${pool.name}.conf`,
          content: renderNginxUpstream(inv, pool.name, {}, opts),
        },
        {
          path: `${dir}/servers/${pool.name}.conf`,
          content: renderNginxServer(inv, pool.name, frontend, opts),
        },
      );
    }
  }
  return files;
}
