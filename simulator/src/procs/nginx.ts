// A real nginx per ingress node, configured by @okome/provisioning's renderers: one main
// config under its own prefix, one upstream file per pool in `upstreamDir` (the files the
// controller rewrites before `nginx -p PREFIX -c CONF -s reload`), one server file per pool.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '@okome/provisioning';
import { renderNginxMain, renderNginxServer, renderNginxUpstream } from '@okome/provisioning';
import { ManagedChild, StartError } from './managed';

const run = promisify(execFile);

export interface NginxOptions {
  nodeId: string;
  prefix: string;
  binary: string;
  /** Pools this node fronts, with the address:port each listens on. */
  listens: Array<{ pool: string; host: string; port: number }>;
}

export class NginxProcess extends ManagedChild {
  constructor(readonly opts: NginxOptions) {
    super();
  }

  get conf(): string {
    return join(this.opts.prefix, 'nginx.conf');
  }
  get upstreamDir(): string {
    return join(this.opts.prefix, 'upstreams');
  }
  get serverDir(): string {
    return join(this.opts.prefix, 'servers');
  }
  get pidFile(): string {
    return join(this.opts.prefix, 'nginx.pid');
  }
  get errorLog(): string {
    return join(this.opts.prefix, 'error.log');
  }
  /** Writes the configs from the derived inventory (addresses already on loopback). */
  writeConfig(inv: Inventory): void {
    for (const dir of [this.opts.prefix, this.upstreamDir, this.serverDir])
      mkdirSync(dir, { recursive: true });
    writeFileSync(
      this.conf,
      renderNginxMain({
        prefix: this.opts.prefix,
        pidFile: this.pidFile,
        errorLog: this.errorLog,
        accessLog: join(this.opts.prefix, 'access.log'),
        upstreamDir: this.upstreamDir,
        serverDir: this.serverDir,
      }),
    );
    for (const { pool } of this.opts.listens) {
      writeFileSync(join(this.upstreamDir, `${pool}.conf`), renderNginxUpstream(inv, pool));
      writeFileSync(
        join(this.serverDir, `${pool}.conf`),
        renderNginxServer(inv, pool, this.opts.nodeId),
      );
    }
  }

  /** `nginx -t`: a config nginx rejects is reported before anything listens. */
  async test(): Promise<void> {
    try {
      await run(this.opts.binary, ['-t', '-q', '-p', this.opts.prefix, '-c', this.conf]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new StartError(
        `nginx config for ${this.opts.nodeId} rejected: ${(e.stderr ?? e.message).trim()}`,
      );
    }
  }

  async start(timeoutMs = 8000): Promise<void> {
    if (this.state !== 'stopped') return;
    const who = `nginx for ${this.opts.nodeId}`;
    await this.launch(
      this.opts.binary,
      ['-p', this.opts.prefix, '-c', this.conf, '-g', 'daemon off;'],
      {
        ready: async () =>
          (await Promise.all(this.opts.listens.map((l) => canConnect(l.host, l.port)))).every(
            Boolean,
          ),
        timeoutMs,
        exitedMessage: (code, stderr) =>
          `${who} exited (code ${code}): ${stderr || this.errorTail() || 'no output'}`,
        timeoutMessage: (stderr) =>
          `${who} did not listen within ${timeoutMs} ms: ${stderr || this.errorTail()}`,
      },
    );
  }

  private errorTail(): string {
    try {
      return readFileSync(this.errorLog, 'utf8').trim().split('\n').slice(-2).join(' | ');
    } catch {
      return '';
    }
  }

  /** A partition freezes the master and its worker(s). */
  protected override pausedPids(pid: number): number[] {
    return [pid, ...workerPids(pid)];
  }

  pidFileExists(): boolean {
    return existsSync(this.pidFile);
  }
}

/** Children of a pid, from /proc (nginx workers). */
export function workerPids(parent: number): number[] {
  try {
    const out = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
    return out ? out.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

export function canConnect(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
