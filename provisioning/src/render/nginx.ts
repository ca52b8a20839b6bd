// nginx for routing pools: one `upstream` block per pool (the file the controller's actuator
// rewrites on drain/disable), one `server` block per pool and frontend, and a standalone main
// config that includes both folders so a non-system nginx can run them (`nginx -p -c`).
import { posix } from 'node:path';
import { tapPort } from '../inventory/schema';
import type { BackendState, Inventory, Pool } from '../inventory/schema';
import type { AddressOptions } from './common';
import { generatedHeader, nodeAddress, requireNode } from './common';
import { RenderError } from './errors';

/** `okome_<pool>`, with characters nginx would misread in a host name replaced by `_`. */
export function nginxUpstreamName(poolName: string): string {
  return `okome_${poolName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function requirePool(inv: Inventory, poolName: string): Pool {
  const pool = inv.routing.pools.find((p) => p.name === poolName);
  if (!pool)
    throw new RenderError(
      `unknown pool "${poolName}" in inventory "${inv.cluster}" (has ${inv.routing.pools.map((p) => p.name).join(', ') || 'none'})`,
    );
  return pool;
}

/** Backends in failover order: `failoverOrder` first, then the rest as listed. */
function orderedBackends(pool: Pool): Pool['backends'] {
  const rank = (node: string) => {
    const i = pool.failoverOrder.indexOf(node);
    return i === -1 ? pool.failoverOrder.length : i;
  };
  return pool.backends
    .map((b, i) => ({ b, i }))
    .sort((x, y) => rank(x.b.node) - rank(y.b.node) || x.i - y.i)
    .map(({ b }) => b);
}

const KEEPALIVE_CONNECTIONS = 32;

/**
 * The `upstream okome_<pool> { … }` block of one pool. `state` is the controller's view of
 * that pool (`RoutingState[pool]`): a backend in `drain` or `disabled` is rendered `down`
 * (nginx OSS has no drain; `down` stops new requests while open streams finish).
 *
 * With `observability.taps` each token-path backend is addressed at its exporter's tap
 * (service port + TAP_PORT_OFFSET), which streams to the service and measures the hop. Like any
 * sidecar proxy the hop then depends on its exporter: an exporter down is that backend down
 * (nginx's max_fails marks it and fails over). Without taps no routed traffic is measured.
 */
export function renderNginxUpstream(
  inv: Inventory,
  poolName: string,
  state: Record<string, BackendState> = {},
  opts: AddressOptions = {},
): string {
  const pool = requirePool(inv, poolName);
  // nginx refuses `backup` with hash and ip_hash: those pools fail over by rehashing instead.
  const hashing = pool.balance === 'hash' || pool.balance === 'ip_hash';
  const lines = [`upstream ${nginxUpstreamName(pool.name)} {`];
  if (pool.balance === 'least_conn') lines.push('    least_conn;');
  if (pool.balance === 'ip_hash') lines.push('    ip_hash;');
  if (pool.balance === 'hash')
    lines.push(`    hash ${pool.stickyKey ?? '$remote_addr'} consistent;`);
  for (const backend of orderedBackends(pool)) {
    const node = requireNode(inv, backend.node);
    const service = node.services.find((s) => s.name === backend.service);
    if (!service)
      throw new RenderError(
        `pool "${pool.name}": node "${node.id}" has no service "${backend.service}"`,
      );
    const backendState = state[backend.node] ?? 'enabled';
    const tapped = inv.observability.taps ? tapPort(service) : undefined;
    const params = [`${nodeAddress(inv, node.id, opts)}:${tapped ?? service.port}`];
    if (backend.weight !== 1) params.push(`weight=${backend.weight}`);
    params.push(`max_fails=${pool.maxFails}`, `fail_timeout=${pool.failTimeout}`);
    if (backend.backup && !hashing) params.push('backup');
    if (backendState !== 'enabled') params.push('down');
    const note = [node.id, backend.service, backendState];
    if (tapped) note.push(`via tap → :${service.port}`);
    if (backend.backup && hashing) note.push('backup ignored: not supported with hash');
    lines.push(`    server ${params.join(' ')};  # ${note.join(' ')}`);
  }
  lines.push(`    keepalive ${KEEPALIVE_CONNECTIONS};`, '}');
  return `${generatedHeader(inv, `nginx upstream of pool "${pool.name}"`)}${lines.join('\n')}\n`;
}

/** Long enough for a slow 72B answer (seed 001: ~3 tok/s) to stream to the end. */
const STREAM_READ_TIMEOUT = '3600s';

/**
 * The `server { … }` block that serves one pool on one frontend node: it listens on
 * `<frontend address>:<listenPort>` and streams to the pool's upstream without buffering.
 */
export function renderNginxServer(
  inv: Inventory,
  poolName: string,
  frontendNodeId: string,
  opts: AddressOptions = {},
): string {
  const pool = requirePool(inv, poolName);
  if (!pool.frontends.includes(frontendNodeId))
    throw new RenderError(
      `node "${frontendNodeId}" is not a frontend of pool "${pool.name}" (frontends: ${pool.frontends.join(', ')})`,
    );
  const listen = `${nodeAddress(inv, frontendNodeId, opts)}:${pool.listenPort}`;
  const upstream = nginxUpstreamName(pool.name);
  const nextUpstream = pool.nextUpstream
    ? [
        // Inference requests are POSTs; nginx only replays them with non_idempotent. A 502/503
        // or a refused connection means no token was sent yet, so a replay is safe.
        '        proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
        `        proxy_next_upstream_tries ${pool.backends.length};`,
      ]
    : ['        proxy_next_upstream off;'];
  const body = [
    'server {',
    `    listen ${listen};`,
    '    server_name _;',
    '',
    '    location / {',
    `        proxy_pass http://${upstream};`,
    '        proxy_http_version 1.1;',
    '        proxy_set_header Connection "";',
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto $scheme;',
    `        proxy_set_header X-Okome-Pool ${pool.name};`,
    '        # Tokens must reach the client as they are produced (SSE, NDJSON).',
    '        proxy_buffering off;',
    '        proxy_request_buffering off;',
    '        proxy_cache off;',
    '        chunked_transfer_encoding on;',
    '        proxy_connect_timeout 5s;',
    `        proxy_read_timeout ${STREAM_READ_TIMEOUT};`,
    `        proxy_send_timeout ${STREAM_READ_TIMEOUT};`,
    ...nextUpstream,
    '        add_header X-Okome-Upstream $upstream_addr always;',
    '    }',
    '}',
  ];
  return `${generatedHeader(inv, `nginx server of pool "${pool.name}" on ${frontendNodeId}`)}${body.join('\n')}\n`;
}

export interface NginxMainOptions {
  /** The `-p` prefix; temp folders go under it, so no system path is needed. */
  prefix: string;
  pidFile: string;
  errorLog: string;
  /** Access log path; omitted → access logging off. */
  accessLog?: string;
  /** Folder of `renderNginxUpstream` files (`*.conf`). */
  upstreamDir: string;
  /** Folder of `renderNginxServer` files (`*.conf`). */
  serverDir: string;
}

/**
 * A complete nginx.conf for `nginx -p PREFIX -c FILE`, runnable without root. Relative paths
 * resolve as nginx resolves them: pid, logs and temp folders against the prefix, includes
 * against the folder of the config file.
 */
export function renderNginxMain(opts: NginxMainOptions): string {
  const temp = (name: string) => posix.join(opts.prefix, name);
  return [
    '# Standalone nginx for okome routing pools. Generated by okome-provision — do not edit.',
    `# Run: nginx -p ${opts.prefix === '.' ? '<folder of this file>' : opts.prefix} -c <this file> [-g 'daemon off;']`,
    'worker_processes 1;',
    `pid ${opts.pidFile};`,
    `error_log ${opts.errorLog} notice;`,
    '',
    'events {',
    '    worker_connections 4096;',
    '}',
    '',
    'http {',
    '    log_format okome \'$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent \'',
    "                     'upstream=$upstream_addr upstream_status=$upstream_status '",
    "                     'request_time=$request_time upstream_first_byte=$upstream_header_time';",
    opts.accessLog ? `    access_log ${opts.accessLog} okome;` : '    access_log off;',
    `    client_body_temp_path ${temp('client_body_temp')};`,
    `    proxy_temp_path ${temp('proxy_temp')};`,
    `    fastcgi_temp_path ${temp('fastcgi_temp')};`,
    `    uwsgi_temp_path ${temp('uwsgi_temp')};`,
    `    scgi_temp_path ${temp('scgi_temp')};`,
    '    sendfile on;',
    '    tcp_nodelay on;',
    '    keepalive_timeout 65s;',
    '    server_tokens off;',
    '',
    `    include ${posix.join(opts.upstreamDir, '*.conf')};`,
    `    include ${posix.join(opts.serverDir, '*.conf')};`,
    '}',
    '',
  ].join('\n');
}
