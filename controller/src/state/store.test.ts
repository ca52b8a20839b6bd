import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { tempDir } from '../testing/fixtures';
import { AuditJournal } from './audit';
import { LOCK_FILE, StateStore } from './store';
import { emptyState } from './types';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe('state store', () => {
  it('round-trips the state and names a corrupt file', () => {
    const store = new StateStore(tmp.dir);
    const s = emptyState();
    s.killSwitch.enabled = true;
    store.save(s);
    expect(new StateStore(tmp.dir).load().killSwitch.enabled).toBe(true);
    writeFileSync(store.path, '{"version": 1, ');
    expect(() => store.load()).toThrow(/state\.json: not valid JSON/);
  });

  it('lets one controller own a state dir and takes over a dead one’s lock', async () => {
    const store = new StateStore(tmp.dir);
    const sleeper = spawn('sleep', ['30']);
    writeFileSync(join(tmp.dir, LOCK_FILE), `${sleeper.pid}\n`);
    expect(() => store.lock()).toThrow(ConfigError);
    expect(() => store.lock()).toThrow(
      new RegExp(`in use by another okome-controller \\(pid ${sleeper.pid}\\)`),
    );
    const exited = new Promise((r) => sleeper.once('exit', r));
    sleeper.kill('SIGKILL');
    await exited;
    store.lock();
    expect(readFileSync(join(tmp.dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    store.unlock();
  });
});

describe('audit journal', () => {
  it('skips a line torn by a crash and starts the next entry on its own line', () => {
    const j = new AuditJournal(tmp.dir);
    j.append({
      id: 'a',
      time: '2026-01-01T00:00:00Z',
      actor: 'user:x',
      action: 'drain',
      result: 'applied',
      reason: 'r',
    });
    writeFileSync(j.path, readFileSync(j.path, 'utf8') + '{"id":"b","ti');
    const again = new AuditJournal(tmp.dir);
    again.append({
      id: 'c',
      time: '2026-01-01T00:00:01Z',
      actor: 'user:x',
      action: 'enabled',
      result: 'applied',
      reason: 'r',
    });
    expect(again.readAll().map((e) => e.id)).toEqual(['a', 'c']);
    expect(again.has('c', 'applied')).toBe(true);
    expect(again.has('b', 'applied')).toBe(false);
    expect(again.query(Date.parse('2026-01-01T00:00:01Z')).map((e) => e.id)).toEqual(['c']);
    expect(again.query(undefined, 1).map((e) => e.id)).toEqual(['c']);
  });
});
