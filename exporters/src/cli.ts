#!/usr/bin/env node
// okome-exporter: one process per node (DESIGN.md §4). Exit codes: 0 on a clean stop, 1 when it
// cannot start (port in use, a collector failed to start), 2 on bad flags or inventory.
import { fitHeapTo, TAP_YOUNG_GENERATION_MIB, youngGenerationMiB } from './heap'; // first: V8 flags before anything else loads (heap.ts)
import { BUILTIN_COLLECTORS } from './collectors/index';
import { Exporter } from './core/exporter';
import { FlagError, formatFlagHelp } from './core/flags';
import { createLogger } from './core/logger';
import { enableFlags } from './core/select';
import { GLOBAL_FLAGS, describeConfig, exporterVersion, loadConfig } from './config';
import { provisioning } from './provisioning-lazy';
import type { ExporterConfig } from './config';

function help(): string {
  const sections = BUILTIN_COLLECTORS.map(
    (d) => `Collector ${d.name}: ${d.help}\n${formatFlagHelp(d.flags)}`,
  ).join('\n\n');
  return `usage: okome-exporter [flags]
       okome-exporter --inventory FILE --node ID [flags]

Per-node exporter: GPU arbitration, Ollama throughput, and the collectors listed below.
Serves /metrics, /-/healthy, /-/ready and a landing page at /, over HTTPS with
--tls-server-cert-file/--tls-server-key-file and behind basic auth with --basic-auth-username/
--basic-auth-password (every path, as redis_exporter). With --inventory, the node's
roles and services enable collectors and set their sources; flags and OKOME_EXPORTER_* env
vars override (flag > env > inventory > default).

Flags:
${formatFlagHelp(GLOBAL_FLAGS)}
  --print-config
      Print the resolved configuration as JSON and exit.
  --version
      Print the version and exit.
  --help
      This text.

Collectors (--[no-]collector.<name>):
${formatFlagHelp(enableFlags(BUILTIN_COLLECTORS))}

${sections}
`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help());
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`okome-exporter ${exporterVersion()}\n`);
    return 0;
  }
  const printConfig = argv.includes('--print-config');
  let config: ExporterConfig;
  try {
    config = loadConfig(argv.filter((a) => a !== '--print-config'));
  } catch (err) {
    if (err instanceof FlagError || err instanceof provisioning().InventoryError) {
      process.stderr.write(`okome-exporter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const env = { logger, inventory: config.inventory, node: config.node };
  const enabled = config.selections.filter((s) => s.enabled);
  let collectors;
  try {
    collectors = enabled.map((s) => s.definition.create(s.options, env));
    if (fitHeapTo(collectors) === 'default' && youngGenerationMiB() < TAP_YOUNG_GENERATION_MIB)
      logger.warn(
        'stream taps run with a small young generation: start node with the flags the systemd units use for the tap tail latency (exporters README "Tap performance")',
        { node_flags: provisioning().TAP_NODE_FLAGS.join(' ') },
      );
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`okome-exporter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (printConfig) {
    process.stdout.write(JSON.stringify(describeConfig(config), null, 2) + '\n');
    return 0;
  }
  if (!enabled.length) logger.warn('no collector enabled; only self-metrics will be served');

  const exporter = new Exporter({
    collectors,
    catalog: config.selections.map((s) => ({
      name: s.definition.name,
      help: s.definition.help,
      enabled: s.enabled,
      reason: s.reason,
    })),
    listen: config.listen,
    telemetryPath: config.telemetryPath,
    maxRequests: config.maxRequests,
    timeoutOffsetMs: config.timeoutOffsetMs,
    collectorTimeoutMs: config.collectorTimeoutMs,
    security: config.security,
    logger,
    node: config.node?.id,
    version: exporterVersion(),
  });
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err }));
  try {
    await exporter.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = `${config.listen.host ?? ''}:${config.listen.port}`;
    process.stderr.write(
      `okome-exporter: cannot start: ${e.code === 'EADDRINUSE' ? `${where} is already in use` : e.code === 'EADDRNOTAVAIL' ? `${where} is not an address of this machine` : e.message}\n`,
    );
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping', { signal });
      exporter.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`okome-exporter: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
