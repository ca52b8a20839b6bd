// A real redis-server per cache node, bound to the node's loopback address, with its own data
// dir and pid file. Stopped for `redis-down` / `down`, paused (SIGSTOP) for `partition`.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../util/time';
import { isAlive, spawnChild, stderrTail, stopPid } from './child';
import { RespClient } from './resp';
import { readFileSync } from 'node:fs';

export type ProcState = 'running' | 'stopped' | 'paused';

export interface RedisOptions {
  nodeId: string;
  host: string;
  port: number;
  dir: string;
  binary: string;
}

export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

export class RedisProcess {
  private child?: ChildProcess;
  state: ProcState = 'stopped';
  /** Cleared before a stop we asked for, so only unexpected exits are reported. */
  private expectExit = false;
  onUnexpectedExit?: (code: number | null) => void;

  constructor(readonly opts: RedisOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get pidFile(): string {
    return join(this.opts.dir, 'redis.pid');
  }

  get logFile(): string {
    return join(this.opts.dir, 'redis.log');
  }

  async start(timeoutMs = 8000): Promise<void> {
    if (this.state !== 'stopped') return;
    mkdirSync(this.opts.dir, { recursive: true });
    const args = [
      '--bind',
      this.opts.host,
      '--port',
      String(this.opts.port),
      '--dir',
      this.opts.dir,
      '--pidfile',
      this.pidFile,
      '--logfile',
      this.logFile,
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--databases',
      '16',
    ];
    const child = spawnChild(this.opts.binary, args, { detached: false });
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
    const client = new RespClient(this.opts.host, this.opts.port, 300);
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        if (exited !== undefined) {
          throw new StartError(
            `redis-server for ${this.opts.nodeId} on ${this.opts.host}:${this.opts.port} exited (code ${exited}): ${this.logTail() || tail() || 'no output'}`,
          );
        }
        try {
          if ((await client.command('PING')) === 'PONG') {
            this.state = 'running';
            return;
          }
        } catch {
          await sleep(40);
        }
      }
    } finally {
      client.close();
    }
    await this.stop();
    throw new StartError(
      `redis-server for ${this.opts.nodeId} on ${this.opts.host}:${this.opts.port} did not answer PING within ${timeoutMs} ms`,
    );
  }

  private logTail(): string {
    try {
      const lines = readFileSync(this.logFile, 'utf8').trim().split('\n');
      return lines.slice(-3).join(' | ');
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
    await stopPid(child.pid, 'SIGTERM', 5000);
    await Promise.race([exited, sleep(2000)]);
    this.child = undefined;
    this.state = 'stopped';
  }

  pause(): void {
    if (this.child?.pid && this.state === 'running') {
      process.kill(this.child.pid, 'SIGSTOP');
      this.state = 'paused';
    }
  }

  resume(): void {
    if (this.child?.pid && this.state === 'paused') {
      process.kill(this.child.pid, 'SIGCONT');
      this.state = 'running';
    }
  }

  alive(): boolean {
    return !!this.child?.pid && isAlive(this.child.pid);
  }
}
