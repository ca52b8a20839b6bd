// Append-only audit journal (JSON lines). Each line is fsynced before the change it records is
// committed to the state file, so a crash never loses a line for a change that happened.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendState } from '@okome/provisioning';

export const AUDIT_FILE = 'audit.jsonl';

export type AuditResult =
  'applied' | 'dry-run' | 'refused' | 'failed' | 'noop' | 'recovered' | 'info';

export interface AuditEntry {
  /** Action id; the same id never appears twice with result applied. */
  id: string;
  time: string;
  /** alert:<fingerprint> | user:<name> | drill:<id> | revert:<fingerprint> | controller */
  actor: string;
  action: BackendState | 'kill-switch' | 'silence' | 'start';
  pool?: string;
  backend?: string;
  before?: BackendState | boolean;
  after?: BackendState | boolean;
  result: AuditResult;
  reason: string;
  /** Guardrail that refused, or the error that failed the action. */
  detail?: string;
}

export class AuditJournal {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, AUDIT_FILE);
    // A crash mid-append leaves a line without its newline; start the next entry on its own line.
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) this.appendRaw('\n');
    }
  }

  private appendRaw(text: string): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  append(entry: AuditEntry): void {
    this.appendRaw(JSON.stringify(entry) + '\n');
    this.seen?.add(`${entry.id} ${entry.result}`);
  }

  /** id+result pairs in the journal, read once and then kept up to date by append. */
  private seen?: Set<string>;

  /** All entries in order; a torn last line (crash mid-write) is skipped, never fatal. */
  readAll(): AuditEntry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A line cut by a crash before its fsync finished: the change it announced was never
        // committed, and the replay re-records it.
      }
    }
    return out;
  }

  query(since?: number, limit = 100): AuditEntry[] {
    const all = this.readAll().filter((e) => since === undefined || Date.parse(e.time) >= since);
    return all.slice(Math.max(0, all.length - limit));
  }

  has(id: string, result: AuditResult): boolean {
    this.seen ??= new Set(this.readAll().map((e) => `${e.id} ${e.result}`));
    return this.seen.has(`${id} ${result}`);
  }
}
