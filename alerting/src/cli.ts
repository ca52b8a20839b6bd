#!/usr/bin/env node
// okome-slo: SLO specs → Prometheus rules, promtool tests, imports and drill silences.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InventoryError, loadInventory, resolveInventoryPath } from '@okome/provisioning';
import type { Inventory } from '@okome/provisioning';
import { generate } from './generate';
import { SpecError } from './problems';
import { runPromtool } from './promtool';
import type { PromtoolReport } from './promtool';
import { AlertmanagerError, createSilence, expireSilence, parseMatcher } from './silence';
import { importOpenSlo } from './spec/import/openslo';
import { importSloth } from './spec/import/sloth';
import { SPEC_JSON_SCHEMA } from './spec/json-schema';
import { loadSpec } from './spec/load';
import { parseDuration } from './duration';
import { writeGenerated, writeText } from './write';

const USAGE = `okome-slo — SLO specs to Prometheus rules, burn-rate alerts and promtool tests

Usage:
  okome-slo generate --spec FILE... [--inventory FILE|CLUSTER] --out DIR [--time-scale N] [--json]
      Writes DIR/<cluster>.rules.yml (SLO recordings + ErrorBudgetBurn/SLOMetricAbsent),
      DIR/<cluster>.routing.rules.yml (with --inventory: OkomeBackendDown, ... okome_action alerts)
      and DIR/<cluster>.test.yml (promtool tests). --time-scale N divides windows and \`for\` by N.
  okome-slo test DIR [--json]
      promtool check rules DIR/*.rules.yml and promtool test rules DIR/*.test.yml.
  okome-slo validate FILE... [--json]
      Checks spec files (okome-slo/v1, Sloth prometheus/v1, OpenSLO v1); lists every problem.
  okome-slo import --from sloth|openslo FILE [--out FILE] [--cluster NAME]
      Converts a Sloth or OpenSLO spec to okome-slo/v1 (stdout unless --out).
  okome-slo silence add --alertmanager URL --matcher NAME=VALUE... (--duration 30m | --ends-at ISO)
                        [--comment TEXT] [--created-by NAME] [--json]
  okome-slo silence expire --alertmanager URL ID
  okome-slo schema      JSON Schema of okome-slo/v1

Exit codes: 0 ok, 1 failure (invalid spec, promtool failed, API error), 2 usage error.
`;

class UsageError extends Error {}

type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function loadInv(value: string | undefined): Inventory | undefined {
  return value === undefined ? undefined : loadInventory(resolveInventoryPath(value));
}

function printPromtool(r: PromtoolReport): void {
  if (r.error) return console.error(`okome-slo test: ${r.error}`);
  for (const step of [r.check, r.test]) {
    if (!step) continue;
    console.log(`$ ${step.command}\n${step.output}\n${step.ok ? 'ok' : 'FAILED'}\n`);
  }
  console.log(
    r.ok ? `PASS ${r.ruleFiles.length} rule file(s), ${r.testFiles.length} test file(s)` : 'FAIL',
  );
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  switch (cmd) {
    case 'generate': {
      const { values, positionals } = parse(rest, {
        spec: { type: 'string', multiple: true },
        inventory: { type: 'string' },
        out: { type: 'string' },
        'time-scale': { type: 'string' },
      });
      if (values.help) return (void process.stdout.write(USAGE), 0);
      const specs = [...((values.spec as string[] | undefined) ?? []), ...positionals];
      if (!values.out) throw new UsageError('--out DIR is required');
      if (!specs.length && !values.inventory)
        throw new UsageError('give --spec FILE (one or more) and/or --inventory');
      const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
      if (!Number.isInteger(timeScale) || timeScale < 1)
        throw new UsageError(
          `--time-scale must be a whole number ≥ 1, got "${String(values['time-scale'])}"`,
        );
      const problems: SpecError['problems'] = [];
      const sets = specs.flatMap((f) => {
        try {
          return [loadSpec(f)];
        } catch (err) {
          if (!(err instanceof SpecError)) throw err;
          problems.push(...err.problems);
          return [];
        }
      });
      if (problems.length) throw new SpecError(problems);
      const inventory = loadInv(values.inventory as string | undefined);
      const files = generate({ sets, inventory, timeScale });
      const sources = [
        ...specs.map((s) => basename(s)),
        ...(values.inventory ? [`inventory ${basename(String(values.inventory))}`] : []),
      ];
      const paths = writeGenerated(values.out as string, files, sources, timeScale);
      const slos = files
        .filter((f) => f.kind === 'rules')
        .reduce((n, f) => n + (f.kind === 'rules' ? f.content.groups.length : 0), 0);
      if (values.json) console.log(JSON.stringify({ ok: true, timeScale, files: paths }, null, 2));
      else {
        for (const p of paths) console.log(`wrote ${p}`);
        console.log(`${slos} rule group(s)${timeScale !== 1 ? `, time-scaled ×${timeScale}` : ''}`);
      }
      return 0;
    }
    case 'test': {
      const { values, positionals } = parse(rest, {});
      if (values.help) return (void process.stdout.write(USAGE), 0);
      const dir = positionals[0];
      if (!dir) throw new UsageError('give the folder written by okome-slo generate');
      const report = runPromtool(dir);
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else printPromtool(report);
      return report.ok ? 0 : 1;
    }
    case 'validate': {
      const { values, positionals } = parse(rest, { inventory: { type: 'string' } });
      if (!positionals.length) throw new UsageError('give one or more spec files');
      const problems: SpecError['problems'] = [];
      let count = 0;
      for (const f of positionals) {
        try {
          count += loadSpec(f).slos.length;
        } catch (err) {
          if (!(err instanceof SpecError)) throw err;
          problems.push(...err.problems);
        }
      }
      if (values.json)
        console.log(JSON.stringify({ ok: !problems.length, slos: count, problems }, null, 2));
      else if (problems.length) console.error(new SpecError(problems).message);
      else console.log(`ok: ${count} SLO(s) in ${positionals.length} file(s)`);
      return problems.length ? 1 : 0;
    }
    case 'import': {
      const { values, positionals } = parse(rest, {
        from: { type: 'string' },
        out: { type: 'string' },
        cluster: { type: 'string' },
      });
      const file = positionals[0];
      if (values.from !== 'sloth' && values.from !== 'openslo')
        throw new UsageError('--from must be sloth or openslo');
      if (!file) throw new UsageError('give the file to import');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new SpecError([{ file, line: 1, path: '', message: (err as Error).message }]);
      }
      const opts = { cluster: values.cluster as string | undefined };
      const res =
        values.from === 'sloth'
          ? importSloth(text, basename(file), opts)
          : importOpenSlo(text, basename(file), opts);
      if (!res.yaml) throw new SpecError(res.problems);
      for (const n of res.notes) console.error(`note: ${n}`);
      if (values.out) {
        writeText(values.out as string, res.yaml);
        console.error(`wrote ${String(values.out)}`);
      } else process.stdout.write(res.yaml);
      return 0;
    }
    case 'silence': {
      const [sub, ...args] = rest;
      const { values, positionals } = parse(args, {
        alertmanager: { type: 'string' },
        matcher: { type: 'string', multiple: true },
        duration: { type: 'string' },
        'ends-at': { type: 'string' },
        comment: { type: 'string' },
        'created-by': { type: 'string' },
      });
      const url = values.alertmanager as string | undefined;
      if (!url) throw new UsageError('--alertmanager URL is required');
      if (sub === 'add') {
        const matchers = ((values.matcher as string[] | undefined) ?? []).map(parseMatcher);
        if (!matchers.length) throw new UsageError('give at least one --matcher NAME=VALUE');
        let endsAt: Date;
        if (values['ends-at']) endsAt = new Date(String(values['ends-at']));
        else {
          const s = parseDuration(String(values.duration ?? ''));
          if (!s) throw new UsageError('give --duration (e.g. 30m) or --ends-at ISO-TIME');
          endsAt = new Date(Date.now() + s * 1000);
        }
        const id = await createSilence(url, {
          matchers,
          endsAt,
          createdBy: (values['created-by'] as string | undefined) ?? 'okome-slo',
          comment: (values.comment as string | undefined) ?? 'silence added by okome-slo',
        });
        console.log(values.json ? JSON.stringify({ id, endsAt: endsAt.toISOString() }) : id);
        return 0;
      }
      if (sub === 'expire') {
        const id = positionals[0];
        if (!id) throw new UsageError('give the silence id');
        await expireSilence(url, id);
        console.log(values.json ? JSON.stringify({ id, expired: true }) : `expired ${id}`);
        return 0;
      }
      throw new UsageError('silence: expected add or expire');
    }
    case 'schema':
      console.log(JSON.stringify(SPEC_JSON_SCHEMA, null, 2));
      return 0;
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`okome-slo: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (
      err instanceof SpecError ||
      err instanceof InventoryError ||
      err instanceof AlertmanagerError ||
      err instanceof RangeError
    ) {
      console.error(err.message);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
