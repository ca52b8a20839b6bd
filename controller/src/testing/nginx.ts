// A real nginx for tests: own prefix in a temp dir, listening on 127.0.0.1 at a free port,
// with the layout the simulator uses (conf/nginx.conf, upstreams/<pool>.conf).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { nginxUpstreamName } from '@okome/provisioning';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestNginx {
  prefix: string;
  conf: string;
  upstreamDir: string;
  port: number;
  stop(): void;
}

export async function startNginx(
  dir: string,
  pools: { name: string; initial: string }[],
): Promise<TestNginx> {
  const prefix = join(dir, 'nginx');
  const upstreamDir = join(prefix, 'upstreams');
  for (const d of ['conf', 'logs', 'tmp', 'upstreams'])
    mkdirSync(join(prefix, d), { recursive: true });
  const port = await freePort();
  for (const p of pools) writeFileSync(join(upstreamDir, `${p.name}.conf`), p.initial);
  const servers = pools
    .map(
      (p, i) =>
        `  server { listen 127.0.0.1:${port + i}; location / { proxy_pass http://${nginxUpstreamName(p.name)}; proxy_buffering off; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
    )
    .join('\n');
  const conf = join(prefix, 'conf', 'nginx.conf');
  writeFileSync(
    conf,
    `pid logs/nginx.pid;
error_log logs/error.log;
worker_processes 1;
daemon on;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  include ${upstreamDir}/*.conf;
${servers}
}
`,
  );
  const r = spawnSync('nginx', ['-p', prefix, '-c', conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nginx did not start: ${r.stderr}`);
  // The command returns once nginx has forked; the daemon writes its pid file a moment later.
  // Returned before that, a quick test's stop() found no pid and left the daemon running.
  const pidFile = join(prefix, 'logs', 'nginx.pid');
  for (const until = Date.now() + 5000; !existsSync(pidFile);) {
    if (Date.now() > until) throw new Error(`nginx wrote no pid file in 5 s (${pidFile})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    prefix,
    conf,
    upstreamDir,
    port,
    stop() {
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        // Only the master we started; it takes its workers with it.
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
