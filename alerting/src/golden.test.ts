// Golden files: test/golden/<case>.in.yaml → <case>.out.yaml (the rule file okome-slo writes).
// Reviewed once; a change to the generator shows up as a diff here. Regenerate with
// UPDATE_GOLDEN=1 npx jest --selectProjects alerting golden
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate';
import { parseSpec } from './spec/load';
import { renderGenerated } from './write';

const DIR = join(__dirname, '..', 'test', 'golden');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.replace(/\.in\.yaml$/, ''));

describe('golden rule files', () => {
  it.each(cases)('%s', (name) => {
    const text = readFileSync(join(DIR, `${name}.in.yaml`), 'utf8');
    const timeScale = Number(/^# time-scale: (\d+)/m.exec(text)?.[1] ?? 1);
    const { set, problems } = parseSpec(text, `${name}.in.yaml`);
    expect(problems).toEqual([]);
    const rules = generate({ sets: [set!], timeScale }).find((f) => f.kind === 'rules')!;
    const out = renderGenerated(rules, [`${name}.in.yaml`], timeScale);
    const golden = join(DIR, `${name}.out.yaml`);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, out);
    expect(out).toBe(readFileSync(golden, 'utf8'));
  });
});
