// okome-provision commands. `runProvision` takes argv and two writers and returns the exit code,
// so tests run it in-process; provision.ts is the thin executable around it.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { formatProblem } from '../inventory/errors';
import type { InventoryProblem } from '../inventory/errors';
import { parseInventory } from '../inventory/load';
import { resolveInventoryPath } from '../inventory/query';
import { DURATION_PATTERN } from '../inventory/schema';
import type { Inventory } from '../inventory/schema';
import { parseRenderTargets, renderTargets } from '../render/targets-select';
import { runDeployCommand } from '../deploy/command';
import { RenderError } from '../render/errors';
import { DEFAULT_CONTROLLER_TOKEN_FILE, MAIN_HELP, RENDER_HELP, VALIDATE_HELP } from './messages';
import { writeRendered } from './write';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd?: string;
}

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

class UsageError extends Error {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

interface Loaded {
  /** How the file is named in messages: as the user wrote it, else relative to cwd. */
  display: string;
  inventory?: Inventory;
  problems: InventoryProblem[];
}

function load(nameOrPath: string, cwd: string): Loaded {
  const path = existsSync(resolve(cwd, nameOrPath))
    ? resolve(cwd, nameOrPath)
    : resolveInventoryPath(nameOrPath);
  const rel = relative(cwd, path);
  const display = existsSync(resolve(cwd, nameOrPath))
    ? nameOrPath
    : rel && !rel.startsWith('..')
      ? rel
      : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `no such file, and not a shipped inventory name (okome, kage-bunshin, garage-ai, blackroad, brain-in-jar)`
        : code === 'EISDIR'
          ? 'is a directory, not an inventory file'
          : (err as Error).message;
    return {
      display: nameOrPath,
      problems: [{ file: nameOrPath, line: 1, column: 1, path: '', message }],
    };
  }
  return { display, ...parseInventory(text, display) };
}

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, help: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, help);
  }
}

function validate(argv: string[], io: CliIo, cwd: string): number {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    VALIDATE_HELP,
  );
  if (values.help) {
    io.out(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (!positionals.length)
    throw new UsageError('validate needs at least one FILE or NAME', VALIDATE_HELP);
  const results = positionals.map((p) => load(p, cwd));
  const valid = results.every((r) => r.problems.length === 0);
  if (values.json) {
    io.out(
      `${JSON.stringify(
        {
          valid,
          files: results.map((r) => ({
            file: r.display,
            valid: r.problems.length === 0,
            problems: r.problems,
          })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const r of results) {
      if (r.problems.length) for (const p of r.problems) io.out(`${formatProblem(p)}\n`);
      else if (r.inventory)
        io.out(
          `${r.display}: ok (cluster ${r.inventory.cluster}, ${plural(r.inventory.nodes.length, 'node')}, ${plural(r.inventory.routing.pools.length, 'pool')})\n`,
        );
    }
    if (!valid) {
      const count = results.reduce((n, r) => n + r.problems.length, 0);
      io.err(`${plural(count, 'problem')} found\n`);
    }
  }
  return valid ? EXIT.ok : EXIT.invalid;
}

function render(argv: string[], io: CliIo, cwd: string): number {
  const str = { type: 'string' } as const;
  const { values, positionals } = parse(
    argv,
    {
      inventory: str,
      out: str,
      loopback: { type: 'boolean' },
      'rules-dir': str,
      'controller-token-file': str,
      'controller-url': str,
      'page-webhook-url': str,
      'ticket-webhook-url': str,
      'scrape-interval': str,
      'evaluation-interval': str,
      target: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    RENDER_HELP,
  );
  if (values.help) {
    io.out(RENDER_HELP);
    return EXIT.ok;
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, RENDER_HELP);
  const inventoryArg = values.inventory as string | undefined;
  const outArg = values.out as string | undefined;
  if (!inventoryArg) throw new UsageError('--inventory is required', RENDER_HELP);
  if (!outArg) throw new UsageError('--out is required', RENDER_HELP);
  for (const flag of ['scrape-interval', 'evaluation-interval'] as const) {
    const v = values[flag] as string | undefined;
    if (v !== undefined && !DURATION_PATTERN.test(v))
      throw new UsageError(
        `--${flag}: not a duration: "${v}" (expected e.g. 5s, 15s, 1m)`,
        RENDER_HELP,
      );
  }

  let targets;
  try {
    targets = parseRenderTargets(values.target as string[] | undefined);
  } catch (err) {
    throw new UsageError((err as Error).message, RENDER_HELP);
  }

  const loaded = load(inventoryArg, cwd);
  if (!loaded.inventory) {
    for (const p of loaded.problems) io.out(`${formatProblem(p)}\n`);
    io.err(`${loaded.display}: not rendered, the inventory has problems\n`);
    return EXIT.invalid;
  }
  const rulesDir = values['rules-dir'] as string | undefined;
  const files = renderTargets(loaded.inventory, targets, {
    loopback: Boolean(values.loopback),
    rulesDir: rulesDir ? resolve(cwd, rulesDir) : undefined,
    controllerTokenFile: resolve(
      cwd,
      (values['controller-token-file'] as string | undefined) ?? DEFAULT_CONTROLLER_TOKEN_FILE,
    ),
    controllerUrl: values['controller-url'] as string | undefined,
    pageWebhookUrl: values['page-webhook-url'] as string | undefined,
    ticketWebhookUrl: values['ticket-webhook-url'] as string | undefined,
    scrapeInterval: values['scrape-interval'] as string | undefined,
    evaluationInterval: values['evaluation-interval'] as string | undefined,
  });
  const outDir = resolve(cwd, outArg);
  const written = writeRendered(outDir, files);
  if (values.json)
    io.out(
      `${JSON.stringify({ inventory: loaded.display, cluster: loaded.inventory.cluster, out: outDir, files: files.map((f) => f.path) }, null, 2)}\n`,
    );
  else {
    for (const path of written) io.out(`wrote ${relative(cwd, path) || path}\n`);
    io.out(`${written.length} files for cluster ${loaded.inventory.cluster}\n`);
  }
  return EXIT.ok;
}

/** Runs okome-provision with `argv` (without node and script); returns the exit code. */
export function runProvision(argv: string[], io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return validate(rest, io, cwd);
      case 'render':
        return render(rest, io, cwd);
      case 'deploy':
        return runDeployCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(MAIN_HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`, MAIN_HELP);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`okome-provision: ${err.message}\n\n${err.help}`);
      return EXIT.usage;
    }
    if (err instanceof RenderError) {
      io.err(`okome-provision: ${err.message}\n`);
      return EXIT.invalid;
    }
    const e = err as NodeJS.ErrnoException;
    // Disk errors (EACCES, ENOSPC, …) are the user's environment, not a bug: one line, no trace.
    if (e && typeof e.code === 'string') {
      io.err(`okome-provision: ${e.message}\n`);
      return EXIT.invalid;
    }
    throw err;
  }
}
