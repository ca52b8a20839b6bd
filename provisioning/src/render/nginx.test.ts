import { join } from 'node:path';
import { loadInventory } from '../inventory/load';
import { INVENTORY_DIR } from '../inventory/query';
import { TAP_PORT_OFFSET } from '../inventory/schema';
import type { Inventory } from '../inventory/schema';
import { RenderError } from './errors';
import {
  nginxUpstreamName,
  renderNginxMain,
  renderNginxServer,
  renderNginxUpstream,
} from './nginx';

const okome = loadInventory(join(INVENTORY_DIR, 'okome.yaml'));
const kage = loadInventory(join(INVENTORY_DIR, 'kage-bunshin.yaml'));

/** The directive lines of a rendered block, without comments and blank lines. */
const directives = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);

describe('renderNginxUpstream', () => {
  it('renders seed 001: least_conn, max_fails=2 fail_timeout=30s', () => {
    expect(directives(renderNginxUpstream(kage, 'ollama'))).toEqual([
      'upstream okome_ollama {',
      'least_conn;',
      'server node-gpu-mobile:21434 max_fails=2 fail_timeout=30s;',
      'server node-gpu-primary:21434 max_fails=2 fail_timeout=30s;',
      'keepalive 32;',
      '}',
    ]);
  });

  it('renders sticky hashing on the session cookie, consistent', () => {
    const lines = directives(renderNginxUpstream(okome, 'stream'));
    expect(lines[1]).toBe('hash $cookie_okome_session consistent;');
    expect(lines.filter((l) => l.startsWith('server '))).toHaveLength(4);
  });

  it('puts backups after the primary in failover order, with weights', () => {
    const servers = directives(renderNginxUpstream(okome, 'engine')).filter((l) =>
      l.startsWith('server '),
    );
    expect(servers).toEqual([
      'server 192.168.86.30:18000 weight=10 max_fails=2 fail_timeout=30s;',
      'server 192.168.86.47:18000 max_fails=2 fail_timeout=30s backup;',
      'server 192.168.86.48:18000 max_fails=2 fail_timeout=30s backup;',
    ]);
  });

  it('orders servers by failoverOrder even when listed otherwise', () => {
    const pool = okome.routing.pools.find((p) => p.name === 'engine')!;
    const reordered = {
      ...okome,
      routing: { pools: [{ ...pool, backends: [...pool.backends].reverse() }] },
    };
    const servers = directives(renderNginxUpstream(reordered, 'engine')).filter((l) =>
      l.startsWith('server '),
    );
    expect(servers.map((s) => s.split(' ')[1])).toEqual([
      '192.168.86.30:18000',
      '192.168.86.47:18000',
      '192.168.86.48:18000',
    ]);
  });

  it('marks drained and disabled backends down, and leaves enabled ones alone', () => {
    const text = renderNginxUpstream(okome, 'engine', {
      CORE: 'drain',
      'NODE-07': 'disabled',
      'NODE-08': 'enabled',
    });
    const servers = directives(text).filter((l) => l.startsWith('server '));
    expect(servers[0]).toMatch(/^server 192\.168\.86\.30:18000 .* down;$/);
    expect(servers[1]).toMatch(/backup down;$/);
    expect(servers[2]).not.toMatch(/down/);
    expect(text).toContain('# CORE vllm drain via tap → :8000');
  });

  it('does not render backup in a hash pool (nginx rejects it) but says so', () => {
    const pool = okome.routing.pools.find((p) => p.name === 'stream')!;
    const withBackup = {
      ...okome,
      routing: {
        pools: [{ ...pool, backends: pool.backends.map((b, i) => ({ ...b, backup: i === 3 })) }],
      },
    };
    const text = renderNginxUpstream(withBackup, 'stream');
    expect(directives(text).join('\n')).not.toContain('backup');
    expect(text).toContain('backup ignored: not supported with hash');
  });

  it('uses loopback addresses on request', () => {
    const servers = directives(renderNginxUpstream(kage, 'ollama', {}, { loopback: true })).filter(
      (l) => l.startsWith('server '),
    );
    expect(servers.map((s) => s.split(' ')[1])).toEqual(['127.0.250.3:21434', '127.0.250.4:21434']);
  });

  it('routes each backend through its exporter tap (port + TAP_PORT_OFFSET) only with taps on', () => {
    expect(okome.observability.taps).toBe(true);
    const servers = (inv: Inventory) =>
      directives(renderNginxUpstream(inv, 'stream'))
        .filter((l) => l.startsWith('server '))
        .map((l) => l.split(' ')[1]);
    expect(servers(okome)).toEqual(
      ['43', '44', '45', '46'].map((d) => `192.168.86.${d}:${8090 + TAP_PORT_OFFSET}`),
    );
    const direct = { ...okome, observability: { ...okome.observability, taps: false } };
    expect(servers(direct)).toEqual(['43', '44', '45', '46'].map((d) => `192.168.86.${d}:8090`));
    expect(renderNginxUpstream(direct, 'stream')).not.toContain('via tap');
  });

  it('leaves a backend without a tap (no token-path kind, or past port 65535) on its port', () => {
    const core = okome.nodes.find((n) => n.id === 'CORE')!;
    const odd = {
      ...okome,
      nodes: okome.nodes.map((n) =>
        n === core
          ? {
              ...n,
              services: [
                ...n.services,
                { name: 'tf', kind: 'tensorflow' as const, port: 8501 },
                { name: 'high', kind: 'vllm' as const, port: 60000 },
              ],
            }
          : n,
      ),
      routing: {
        pools: [
          {
            ...okome.routing.pools[1]!,
            failoverOrder: [],
            backends: [
              { node: 'CORE', service: 'tf', weight: 1, backup: false },
              { node: 'CORE', service: 'high', weight: 1, backup: false },
            ],
          },
        ],
      },
    };
    const servers = directives(renderNginxUpstream(odd, 'engine'))
      .filter((l) => l.startsWith('server '))
      .map((l) => l.split(' ')[1]);
    expect(servers).toEqual(['192.168.86.30:8501', '192.168.86.30:60000']);
  });

  it('names an unknown pool and lists the real ones', () => {
    expect(() => renderNginxUpstream(okome, 'chat')).toThrow(RenderError);
    expect(() => renderNginxUpstream(okome, 'chat')).toThrow(
      'unknown pool "chat" in inventory "okome" (has stream, engine)',
    );
  });

  it('makes a safe upstream name', () => {
    expect(nginxUpstreamName('sto-engine')).toBe('okome_sto_engine');
  });
});

describe('renderNginxServer', () => {
  it('listens on the frontend address and streams to the upstream without buffering', () => {
    const lines = directives(renderNginxServer(okome, 'engine', 'NODE-02'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'listen 192.168.86.42:8000;',
        'proxy_pass http://okome_engine;',
        'proxy_http_version 1.1;',
        'proxy_set_header Connection "";',
        'proxy_buffering off;',
        'chunked_transfer_encoding on;',
        'proxy_read_timeout 3600s;',
        'proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
      ]),
    );
  });

  it('turns retries off when the pool says nextUpstream: false', () => {
    const pool = kage.routing.pools[0]!;
    const noRetry = { ...kage, routing: { pools: [{ ...pool, nextUpstream: false }] } };
    const lines = directives(
      renderNginxServer(noRetry, 'ollama', 'node-primary', { loopback: true }),
    );
    expect(lines).toContain('proxy_next_upstream off;');
    expect(lines).toContain('listen 127.0.250.1:11435;');
  });

  it('refuses a node that is not a frontend of the pool', () => {
    expect(() => renderNginxServer(okome, 'engine', 'CORE')).toThrow(
      'node "CORE" is not a frontend of pool "engine" (frontends: NODE-01, NODE-02)',
    );
  });
});

describe('renderNginxMain', () => {
  it('includes both folders and keeps every writable path under the prefix', () => {
    const text = renderNginxMain({
      prefix: '/srv/okome/nginx',
      pidFile: '/srv/okome/nginx/nginx.pid',
      errorLog: '/srv/okome/nginx/error.log',
      upstreamDir: '/srv/okome/nginx/upstreams',
      serverDir: '/srv/okome/nginx/servers',
    });
    const lines = directives(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        'pid /srv/okome/nginx/nginx.pid;',
        'access_log off;',
        'include /srv/okome/nginx/upstreams/*.conf;',
        'include /srv/okome/nginx/servers/*.conf;',
      ]),
    );
    const temps = lines.filter((l) => /_temp_path /.test(l));
    expect(temps).toHaveLength(5);
    for (const t of temps) expect(t).toMatch(/ \/srv\/okome\/nginx\/\w+_temp;$/);
  });

  it('logs access with upstream timings when an access log is given', () => {
    const text = renderNginxMain({
      prefix: '.',
      pidFile: 'nginx.pid',
      errorLog: 'error.log',
      accessLog: 'access.log',
      upstreamDir: 'upstreams',
      serverDir: 'servers',
    });
    expect(text).toContain('access_log access.log okome;');
    expect(text).toContain('upstream_first_byte=$upstream_header_time');
  });
});
