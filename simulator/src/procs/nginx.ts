// A real nginx per ingress node, configured by @okome/provisioning's renderers: one main
// config under its own prefix, one upstream file per pool in `upstreamDir` (the files the
// controller rewrites before `nginx -p PREFIX -c CONF -s reload`), one server file per pool.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '@okome/provisioning';
import { renderNginxMain, renderNginxServer, renderNginxUpstream } from '@okome/provisioning';
import { sleep } from '../util/time';
import { isAlive, spawnChild, stderrTail, stopPid } from './child';
import type { ProcState } from './redis';
import { StartError } from './redis';

const run = promisify(execFile);

export interface NginxOptions {
  nodeId: string;
  prefix: string;
  binary: string;
  /** Pools this node fronts, with the address:port each listens on. */
  listens: Array<{ pool: string; host: string; port: number }>;
}

export class NginxProcess {
  private child?: ChildProcess;
  state: ProcState = 'stopped';
  private expectExit = false;
  onUnexpectedExit?: (code: number | null) => void;

  constructor(readonly opts: NginxOptions) {}

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
  get pid(): number | undefined {
    return this.child?.pid;
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
    const child = spawnChild(
      this.opts.binary,
      ['-p', this.opts.prefix, '-c', this.conf, '-g', 'daemon off;'],
      { detached: false },
    );
    const tail = stderrTail(child);
    this.child = child;
    this.expectExit = false;
    let exited: number | null | undefined;
    child.on('exit', (code) => {
      exited = code;
      if (this.child === child) {
        this.child = undefined;
        this.state = 'stopped';
        if (!this.expectExit) this.onUnexpectedExit?.(code);
      }
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited !== undefined)
        throw new StartError(
          `nginx for ${this.opts.nodeId} exited (code ${exited}): ${tail() || this.errorTail() || 'no output'}`,
        );
      const ok = await Promise.all(this.opts.listens.map((l) => canConnect(l.host, l.port)));
      if (ok.every(Boolean)) {
        this.state = 'running';
        return;
      }
      await sleep(40);
    }
    await this.stop();
    throw new StartError(
      `nginx for ${this.opts.nodeId} did not listen within ${timeoutMs} ms: ${tail() || this.errorTail()}`,
    );
  }

  private errorTail(): string {
    try {
      return readFileSync(this.errorLog, 'utf8').trim().split('\n').slice(-2).join(' | ');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) {
      this.state = 'stopped';
      return;
    }
    this.expectExit = true;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    // SIGQUIT = graceful; SIGTERM = fast shutdown (streams are cut, as when a node goes down).
    await stopPid(child.pid, 'SIGTERM', 5000);
    await Promise.race([exited, sleep(2000)]);
    this.child = undefined;
    this.state = 'stopped';
  }

  /** SIGSTOP the master and its worker(s): connections are accepted by the kernel, never answered. */
  pause(): void {
    if (!this.child?.pid || this.state !== 'running') return;
    for (const pid of [this.child.pid, ...workerPids(this.child.pid)]) signal(pid, 'SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (!this.child?.pid || this.state !== 'paused') return;
    for (const pid of [this.child.pid, ...workerPids(this.child.pid)]) signal(pid, 'SIGCONT');
    this.state = 'running';
  }

  alive(): boolean {
    return !!this.child?.pid && isAlive(this.child.pid);
  }

  pidFileExists(): boolean {
    return existsSync(this.pidFile);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
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
