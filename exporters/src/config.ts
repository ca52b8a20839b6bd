// The exporter's configuration: global flags, the inventory node, and the collector selection.
// Pure apart from reading the inventory file, so `--print-config` and tests see exactly what
// the process would run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory, InventoryNode } from '@okome/provisioning';
import { BUILTIN_COLLECTORS } from './collectors/index';
import type { CollectorDefinition } from './core/collector';
import { parseListenAddress } from './core/address';
import { provisioning } from './provisioning-lazy';
import type { ListenAddress } from './core/address';
import { FlagError, parseArgs, resolveOptions } from './core/flags';
import type { FlagSpec, Options } from './core/flags';
import type { LogLevel } from './core/logger';
import { DISABLE_DEFAULTS_FLAG, enableFlags, selectCollectors } from './core/select';
import type { Selection } from './core/select';
import { WEB_SECURITY_FLAGS, webSecurityFrom } from './http/security';
import type { WebSecurity } from './http/security';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'inventory',
    type: 'string',
    help: 'Inventory file, or a shipped cluster name (okome, kage-bunshin, …). Needs --node.',
    placeholder: 'FILE',
  },
  {
    name: 'node',
    type: 'string',
    help: 'Node id in the inventory; its roles and services pick the collectors.',
    placeholder: 'ID',
  },
  {
    name: 'web.listen-address',
    type: 'string',
    help: "Address to listen on (with --inventory: the node's address and exporterPort).",
    default: ':9464',
    placeholder: 'ADDR',
  },
  {
    name: 'web.telemetry-path',
    type: 'string',
    help: 'Path of the metrics endpoint.',
    default: '/metrics',
    placeholder: 'PATH',
  },
  {
    name: 'web.max-requests',
    type: 'number',
    help: 'Concurrent scrapes before 503 (0 = no limit).',
    default: 40,
  },
  {
    name: 'web.timeout-offset',
    type: 'duration',
    help: 'Subtracted from X-Prometheus-Scrape-Timeout-Seconds to leave time to answer.',
    default: '500ms',
  },
  {
    name: 'collector.timeout',
    type: 'duration',
    help: 'Longest time one collector may take (lowered by the scrape timeout).',
    default: '9s',
  },
  {
    name: DISABLE_DEFAULTS_FLAG,
    type: 'bool',
    help: 'Run only collectors enabled with --collector.<name>.',
  },
  {
    name: 'log.level',
    type: 'string',
    help: 'debug, info, warn or error.',
    default: 'info',
    placeholder: 'LEVEL',
  },
  ...WEB_SECURITY_FLAGS,
];

export interface ExporterConfig {
  readonly listen: ListenAddress;
  readonly telemetryPath: string;
  readonly maxRequests: number;
  readonly timeoutOffsetMs: number;
  readonly collectorTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** TLS material (read and checked) and basic-auth credentials for the HTTP server. */
  readonly security: WebSecurity;
  readonly inventory?: Inventory;
  readonly inventoryPath?: string;
  readonly node?: InventoryNode;
  readonly selections: readonly Selection[];
}

export function allFlags(defs: readonly CollectorDefinition[] = BUILTIN_COLLECTORS): FlagSpec[] {
  return [...GLOBAL_FLAGS, ...enableFlags(defs), ...defs.flatMap((d) => d.flags)];
}

export function exporterVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'];

/** Parses argv/env and reads the inventory. Throws FlagError or InventoryError with the cause. */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  defs: readonly CollectorDefinition[] = BUILTIN_COLLECTORS,
): ExporterConfig {
  const { given } = parseArgs(argv, allFlags(defs), env);
  const global: Options = resolveOptions(GLOBAL_FLAGS, given);
  const invArg = global.string('inventory');
  const nodeId = global.string('node');
  if (invArg && !nodeId)
    throw new FlagError('--inventory needs --node ID (the node this exporter runs on)');
  if (nodeId && !invArg) throw new FlagError('--node needs --inventory FILE');

  let inventory: Inventory | undefined;
  let inventoryPath: string | undefined;
  let node: InventoryNode | undefined;
  if (invArg && nodeId) {
    const { loadInventory, nodeById, resolveInventoryPath } = provisioning();
    inventoryPath = resolveInventoryPath(invArg);
    inventory = loadInventory(inventoryPath);
    node = nodeById(inventory, nodeId);
    if (!node)
      throw new FlagError(
        `--node: no node "${nodeId}" in ${inventoryPath} (nodes: ${inventory.nodes.map((n) => n.id).join(', ')})`,
      );
  }

  const listenText =
    given.get('web.listen-address') !== undefined || !node
      ? (global.string('web.listen-address') ?? ':9464')
      : `${node.address}:${node.exporterPort}`;
  const logLevel = global.string('log.level') ?? 'info';
  if (!LEVELS.includes(logLevel))
    throw new FlagError(`--log.level: "${logLevel}" is not one of ${LEVELS.join(', ')}`);
  const telemetryPath = global.string('web.telemetry-path') ?? '/metrics';
  if (!telemetryPath.startsWith('/'))
    throw new FlagError(`--web.telemetry-path: "${telemetryPath}" must start with /`);

  return {
    listen: parseListenAddress(listenText, '--web.listen-address'),
    telemetryPath,
    maxRequests: global.number('web.max-requests') ?? 40,
    timeoutOffsetMs: global.duration('web.timeout-offset') ?? 500,
    collectorTimeoutMs: global.duration('collector.timeout') ?? 9000,
    logLevel: logLevel as LogLevel,
    security: webSecurityFrom(global),
    inventory,
    inventoryPath,
    node,
    selections: selectCollectors(defs, given, { inventory, node }),
  };
}

/** What --print-config shows. */
export function describeConfig(c: ExporterConfig): Record<string, unknown> {
  return {
    listen: `${c.listen.host ?? ''}:${c.listen.port}`,
    telemetryPath: c.telemetryPath,
    inventory: c.inventoryPath,
    node: c.node?.id,
    collectorTimeoutMs: c.collectorTimeoutMs,
    timeoutOffsetMs: c.timeoutOffsetMs,
    maxRequests: c.maxRequests,
    // Whether, not what: --print-config must not echo a password or a key.
    tls: c.security.tls ? { clientCertRequired: !!c.security.tls.ca } : false,
    basicAuth: !!c.security.basicAuth,
    collectors: c.selections.map((s) => ({
      name: s.definition.name,
      enabled: s.enabled,
      reason: s.reason,
      options: Object.fromEntries(s.definition.flags.map((f) => [f.name, s.options.raw(f.name)])),
    })),
  };
}
