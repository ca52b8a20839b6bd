#!/usr/bin/env node
// okome-status: the cluster at a glance from the controller's topology API.
// Exit 0 = no node UNAVAILABLE, 1 = some node UNAVAILABLE, 2 = could not get the status.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { controllerUrl, loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { buildReport, formatReport } from './status/report';
import type { TopologyDoc } from './status/report';

const USAGE = `Usage: okome-status [--inventory FILE] [--controller URL] [--token-file FILE] [--json]

Prints every node with health, roles, key numbers (GPU memory by engine, tokens/s, TTFT p95,
cache hit ratio) and routing state, from okome-controller's GET /api/v1/topology.

Options:
  --inventory FILE    take the controller URL from the inventory (observability.controller)
  --controller URL    controller base URL (default: $OKOME_CONTROLLER_URL, else from --inventory,
                      else the local stack's controller, else http://127.0.0.1:9700)
  --token-file FILE   bearer token (default: $OKOME_CONTROLLER_TOKEN_FILE, else
                      .okome/stack/secrets/controller.token when it exists)
  --json              machine-readable output
  -h, --help          show this help

Exit status: 0 all nodes reachable, 1 a node is UNAVAILABLE, 2 the status could not be read.`;

const DEFAULT_TOKEN_FILE = '.okome/stack/secrets/controller.token';
const STACK_STATE = '.okome/stack/state.json';

/** The controller the local stack (`okome-stack up`) started, if any. */
function stackController(): string | undefined {
  try {
    const state = JSON.parse(readFileSync(STACK_STATE, 'utf8')) as {
      components?: { name: string; url: string }[];
    };
    return state.components?.find((c) => c.name === 'controller')?.url;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    options: {
      inventory: { type: 'string' },
      controller: { type: 'string' },
      'token-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let base = v.controller ?? process.env.OKOME_CONTROLLER_URL;
  if (!base && v.inventory) base = controllerUrl(loadInventory(resolveInventoryPath(v.inventory)));
  base = (base ?? stackController() ?? 'http://127.0.0.1:9700').replace(/\/$/, '');
  const tokenFile =
    v['token-file'] ??
    process.env.OKOME_CONTROLLER_TOKEN_FILE ??
    (existsSync(DEFAULT_TOKEN_FILE) ? DEFAULT_TOKEN_FILE : undefined);
  if (!tokenFile)
    throw new Error('no token: pass --token-file (the controller requires a bearer token)');
  const token = readFileSync(tokenFile, 'utf8').split('\n')[0]?.trim() ?? '';

  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/topology`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`controller at ${base} unreachable: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as TopologyDoc & {
    error?: string;
    detail?: string;
  };
  if (!res.ok)
    throw new Error(
      `controller at ${base} answered ${res.status}: ${body.detail ?? body.error ?? ''}`,
    );
  const report = buildReport(body);
  process.stdout.write(v.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.status === 'UNAVAILABLE' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`okome-status: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
