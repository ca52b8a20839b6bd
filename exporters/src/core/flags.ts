// Flags in the node_exporter/redis_exporter style: `--name=value` or `--name value`, booleans as
// `--name` / `--no-name`, and every flag defaulting from an `OKOME_EXPORTER_*` env var.
// Precedence: command line > env > inventory-derived > built-in default.

export type FlagType = 'string' | 'bool' | 'number' | 'duration' | 'list';
export type FlagValue = string | number | boolean | string[];

export interface FlagSpec {
  /** Dotted name without dashes, e.g. `web.listen-address`. */
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  /** Built-in default; durations are written as Prometheus durations (`10s`). */
  readonly default?: FlagValue;
  /** Placeholder for --help, e.g. `ADDR`. */
  readonly placeholder?: string;
}

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** `web.listen-address` → `OKOME_EXPORTER_WEB_LISTEN_ADDRESS`. */
export function envName(flag: string): string {
  return `OKOME_EXPORTER_${flag.replace(/[.-]/g, '_').toUpperCase()}`;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_PARTS = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Prometheus-style duration (`500ms`, `10s`, `1m30s`) or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(t) && !DURATION.test(t))
    throw new FlagError(`not a duration: "${text}" (expected e.g. 500ms, 10s, 1m30s)`);
  let ms = 0;
  for (const m of t.matchAll(DURATION_PARTS)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return ms;
}

function convert(spec: FlagSpec, raw: string, where: string): FlagValue {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'list':
      return raw === '' ? [] : raw.split(',').map((s) => s.trim());
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new FlagError(`${where}: expected true or false, got "${raw}"`);
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n))
        throw new FlagError(`${where}: expected a number, got "${raw}"`);
      return n;
    }
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new FlagError(`${where}: ${(err as Error).message}`);
      }
  }
}

function defaultOf(spec: FlagSpec): FlagValue | undefined {
  if (spec.default === undefined) return undefined;
  if (spec.type === 'duration' && typeof spec.default === 'string')
    return parseDuration(spec.default);
  return spec.default;
}

/** Resolved option values with typed accessors; durations are in milliseconds. */
export class Options {
  constructor(
    private readonly values: ReadonlyMap<string, FlagValue>,
    /** Flags given on the command line or in env, as opposed to defaults. */
    readonly explicit: ReadonlySet<string> = new Set(),
  ) {}
  has(name: string): boolean {
    return this.values.has(name);
  }
  raw(name: string): FlagValue | undefined {
    return this.values.get(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' && v !== '' ? v : undefined;
  }
  number(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  bool(name: string): boolean {
    return this.values.get(name) === true;
  }
  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  /** Milliseconds. */
  duration(name: string): number | undefined {
    return this.number(name);
  }
  toJSON(): Record<string, FlagValue> {
    return Object.fromEntries(this.values);
  }
}

export interface ParsedArgs {
  /** Values from argv and env only (no defaults), by flag name. */
  given: Map<string, FlagValue>;
  /** Where each given value came from, for messages. */
  origin: Map<string, 'flag' | 'env'>;
}

/**
 * Parses argv and env against the specs. Unknown flags and bad values throw FlagError naming
 * the flag (or env var) and the value.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const given = new Map<string, FlagValue>();
  const origin = new Map<string, 'flag' | 'env'>();

  for (const spec of specs) {
    const e = envName(spec.name);
    const raw = env[e];
    if (raw !== undefined) {
      given.set(spec.name, convert(spec, raw, e));
      origin.set(spec.name, 'env');
    }
  }

  const fromArgv = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new FlagError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && value === undefined) {
      const positive = byName.get(name.slice(3));
      if (positive?.type === 'bool') {
        spec = positive;
        name = positive.name;
        value = 'false';
      }
    }
    if (!spec) throw new FlagError(`unknown flag --${name} (see --help)`);
    if (value === undefined) {
      if (spec.type === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new FlagError(`--${name}: missing value`);
        value = next;
        i++;
      }
    }
    const converted = convert(spec, value, `--${name}`);
    // Repeating a list flag adds to it, as with node_exporter's repeatable flags.
    if (spec.type === 'list' && fromArgv.has(name)) {
      given.set(name, [...(given.get(name) as string[]), ...(converted as string[])]);
    } else given.set(name, converted);
    fromArgv.add(name);
    origin.set(name, 'flag');
  }
  return { given, origin };
}

/** Layers given values over inventory-derived ones over defaults. */
export function resolveOptions(
  specs: readonly FlagSpec[],
  given: ReadonlyMap<string, FlagValue>,
  derived: ReadonlyMap<string, FlagValue> = new Map(),
): Options {
  const values = new Map<string, FlagValue>();
  for (const spec of specs) {
    const v = given.get(spec.name) ?? derived.get(spec.name) ?? defaultOf(spec);
    if (v !== undefined) values.set(spec.name, v);
  }
  return new Options(values, new Set(given.keys()));
}

function formatDefault(spec: FlagSpec): string {
  if (spec.default === undefined || spec.default === '') return '';
  if (Array.isArray(spec.default))
    return spec.default.length ? ` (default ${spec.default.join(',')})` : '';
  return ` (default ${String(spec.default)})`;
}

/** One block per flag: name, placeholder, help, default and env var. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const head =
        s.type === 'bool'
          ? `  --[no-]${s.name}`
          : `  --${s.name}=${s.placeholder ?? s.type.toUpperCase()}`;
      return `${head}\n      ${s.help}${formatDefault(s)} [env ${envName(s.name)}]`;
    })
    .join('\n');
}
