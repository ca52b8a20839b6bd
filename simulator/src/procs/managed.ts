// What the real programs the simulator runs (redis-server, nginx) share: one child at a time,
// a start that waits for the program to answer (or reports why it exited), a stop that waits
// for the exit, SIGSTOP/SIGCONT for partitions, and a hook for exits nobody asked for.
import type { ChildProcess } from 'node:child_process';
import { sleep } from '../util/time';
import { isAlive, spawnChild, stderrTail, stopPid } from './child';

export type ProcState = 'running' | 'stopped' | 'paused';

export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

export interface ReadyWait {
  /** Resolves true once the program answers; errors count as "not yet". */
  ready: () => Promise<boolean>;
  timeoutMs: number;
  /** The message when the program exits while starting (stderr tail given). */
  exitedMessage: (code: number | null, stderr: string) => string;
  /** The message when it never answers (stderr tail given). */
  timeoutMessage: (stderr: string) => string;
}

export abstract class ManagedChild {
  private child?: ChildProcess;
  state: ProcState = 'stopped';
  /** Set before a stop we asked for, so only unexpected exits are reported. */
  private expectExit = false;
  onUnexpectedExit?: (code: number | null) => void;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns `binary args` and waits until `wait.ready()`; a failed start leaves nothing running. */
  protected async launch(binary: string, args: string[], wait: ReadyWait): Promise<void> {
    const child = spawnChild(binary, args, { detached: false });
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
    const deadline = Date.now() + wait.timeoutMs;
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new StartError(wait.exitedMessage(exited, tail()));
      if (await wait.ready().catch(() => false)) {
        this.state = 'running';
        return;
      }
      await sleep(40);
    }
    await this.stop();
    throw new StartError(wait.timeoutMessage(tail()));
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
    // SIGTERM = fast shutdown: streams are cut, as when a node goes down.
    await stopPid(child.pid, 'SIGTERM', 5000);
    await Promise.race([exited, sleep(2000)]);
    this.child = undefined;
    this.state = 'stopped';
  }

  /** The pids a partition freezes: the child itself, plus whatever it forked (nginx workers). */
  protected pausedPids(pid: number): number[] {
    return [pid];
  }

  /** SIGSTOP: connections are accepted by the kernel, never answered. */
  pause(): void {
    if (!this.child?.pid || this.state !== 'running') return;
    for (const pid of this.pausedPids(this.child.pid)) signal(pid, 'SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (!this.child?.pid || this.state !== 'paused') return;
    for (const pid of this.pausedPids(this.child.pid)) signal(pid, 'SIGCONT');
    this.state = 'running';
  }

  alive(): boolean {
    return !!this.child?.pid && isAlive(this.child.pid);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}
