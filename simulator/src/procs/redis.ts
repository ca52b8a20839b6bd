// A real redis-server per cache node, bound to the node's loopback address, with its own data
// dir and pid file. Stopped for `redis-down` / `down`, paused (SIGSTOP) for `partition`.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedChild } from './managed';
import { RespClient } from './resp';

export type { ProcState } from './managed';
export { StartError } from './managed';

export interface RedisOptions {
  nodeId: string;
  host: string;
  port: number;
  dir: string;
  binary: string;
}

export class RedisProcess extends ManagedChild {
  constructor(readonly opts: RedisOptions) {
    super();
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
    const client = new RespClient(this.opts.host, this.opts.port, 300);
    const where = `redis-server for ${this.opts.nodeId} on ${this.opts.host}:${this.opts.port}`;
    try {
      await this.launch(this.opts.binary, args, {
        ready: async () => (await client.command('PING')) === 'PONG',
        timeoutMs,
        exitedMessage: (code, stderr) =>
          `${where} exited (code ${code}): ${this.logTail() || stderr || 'no output'}`,
        timeoutMessage: () => `${where} did not answer PING within ${timeoutMs} ms`,
      });
    } finally {
      client.close();
    }
  }

  private logTail(): string {
    try {
      const lines = readFileSync(this.logFile, 'utf8').trim().split('\n');
      return lines.slice(-3).join(' | ');
    } catch {
      return '';
    }
  }
}
