// Property checks over everything okome-slo ships: every spec and example generates, every
// expression parses (lezer here, the real promtool in check-rules below), and the contract
// labels the controller and Alertmanager routes rely on are present.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory, resolveInventoryPath } from '@okome/provisioning';
import { ALERT, LABEL } from './conventions';
import { generate } from './generate';
import { promqlProblem } from './promql';
import { isAlert } from './rules/types';
import { loadSpec } from './spec/load';
import { writeGenerated } from './write';

const ROOT = join(__dirname, '..');
const specs = [
  ...readdirSync(join(ROOT, 'slos')).map((f) => join(ROOT, 'slos', f)),
  ...readdirSync(join(ROOT, 'examples')).map((f) => join(ROOT, 'examples', f)),
];

describe.each(specs)('%s', (file) => {
  const set = loadSpec(file);
  const inv = (() => {
    try {
      return loadInventory(resolveInventoryPath(set.cluster));
    } catch {
      return undefined;
    }
  })();
  const files = generate({ sets: [set], inventory: inv, timeScale: 60 });
  const rules = files.flatMap((f) =>
    f.kind === 'rules' ? f.content.groups.flatMap((g) => g.rules) : [],
  );

  it('writes only expressions PromQL parses', () => {
    for (const r of rules) expect([r.expr, promqlProblem(r.expr)]).toEqual([r.expr, undefined]);
  });

  it('labels every burn alert with slo, severity, windows and a runbook, and marks the time scale', () => {
    const burns = rules.filter(isAlert).filter((r) => r.alert === ALERT.burn);
    expect(burns.length).toBe(
      set.slos.length * 4 + (inv ? inv.budgets.hops.length * 4 : 0) - dupes(set, inv) * 4,
    );
    for (const b of burns) {
      expect(b.labels).toMatchObject({ [LABEL.timeScale]: '60' });
      expect(['page', 'ticket']).toContain(b.labels?.severity);
      expect(Object.keys(b.labels ?? {})).toEqual(
        expect.arrayContaining(['slo', 'long', 'short', 'exhaustion']),
      );
      expect(b.annotations?.runbook_url).toMatch(/^https?:\/\//);
    }
  });

  it('gives every routing alert the labels the controller acts on', () => {
    const routing = rules.filter(isAlert).filter((r) => r.labels?.[LABEL.action]);
    if (!inv) return expect(routing).toEqual([]);
    const backends = inv.routing.pools.flatMap((p) => p.backends.map((b) => `${p.name}/${b.node}`));
    const down = routing
      .filter((r) => r.alert === ALERT.backendDown)
      .map((r) => `${r.labels?.okome_pool}/${r.labels?.okome_backend}`);
    expect(down.sort()).toEqual(backends.sort());
    for (const r of routing) expect(['drain', 'disable']).toContain(r.labels?.[LABEL.action]);
  });

  it('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okome-slo-check-'));
    try {
      writeGenerated(dir, files, [file], 60);
      const ruleFiles = files.filter((f) => f.kind === 'rules').map((f) => f.name);
      const res = spawnSync('promtool', ['check', 'rules', ...ruleFiles], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect([res.status, res.stdout + res.stderr]).toEqual([
        0,
        expect.stringContaining('SUCCESS'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function dupes(
  set: ReturnType<typeof loadSpec>,
  inv: ReturnType<typeof loadInventory> | undefined,
): number {
  if (!inv) return 0;
  const names = new Set(set.slos.map((s) => s.name));
  return inv.budgets.hops.filter((b) =>
    names.has(`${b.hop}-${b.signal}-latency${b.node ? `-${b.node.toLowerCase()}` : ''}`),
  ).length;
}
