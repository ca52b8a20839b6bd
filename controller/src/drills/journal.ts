// The drill journal: one JSON file per drill in <state-dir>/drills/, rewritten crash-safely
// (the controller's write, fsync, rename) at every step. A fault is journaled as an intent
// before it is made, so a restart after kill -9 knows what to roll back.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../state/store';
import type { DrillRecord } from './types';

export const DRILLS_SUBDIR = 'drills';

export class DrillJournal {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, DRILLS_SUBDIR);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  save(rec: DrillRecord): void {
    writeFileDurably(join(this.dir, `${rec.id}.json`), JSON.stringify(rec) + '\n');
  }

  load(id: string): DrillRecord | undefined {
    if (!/^[\w-]+$/.test(id)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as DrillRecord;
    } catch {
      return undefined;
    }
  }

  /** Every journaled drill, oldest first; an unreadable file is skipped, never fatal. */
  list(): DrillRecord[] {
    const out: DrillRecord[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!/^[\w-]+\.json$/.test(f)) continue;
      try {
        const rec = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as DrillRecord;
        if (rec?.version === 1 && typeof rec.id === 'string') out.push(rec);
      } catch {
        // A temp file or a foreign file: not a drill.
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}
