// Reads an inventory file: YAML → schema → cross-field rules. Every problem is reported at
// once, each with the file, line and column of the value it is about.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { InventoryError, formatPath } from './errors';
import type { InventoryProblem } from './errors';
import { checkRules } from './rules';
import {
  NOT_A_DURATION,
  hopBudgetSchema,
  inventorySchema,
  modelSchema,
  nodeSchema,
  poolSchema,
} from './schema';
import type { Inventory } from './schema';

/** What a value in the inventory is called in messages, by the key that holds it. */
const NOUNS: Record<string, string> = {
  roles: 'role',
  kind: 'service kind',
  vendor: 'GPU vendor',
  engine: 'engine',
  hop: 'hop',
  signal: 'budget signal',
  balance: 'balance method',
  actuator: 'actuator',
  allowed: 'drill scenario',
  arch: 'architecture',
};

function nounFor(path: readonly PropertyKey[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key === 'string') return NOUNS[key] ?? key;
  }
  return 'value';
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function durationMessage(actual: unknown): string {
  const hint =
    typeof actual === 'number' && Number.isFinite(actual) && actual >= 0
      ? `; did you mean "${actual}s" or "${actual}ms"?`
      : '';
  return `${NOT_A_DURATION}: ${JSON.stringify(actual)} (expected e.g. 500ms, 30s, 5m, 28d${hint})`;
}

interface Described {
  path: PropertyKey[];
  message: string;
  /** Point at the key rather than its value (unknown fields). */
  atKey?: boolean;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): Described {
  const path = [...issue.path];
  const actual = valueAt(data, path);
  if (issue.message === NOT_A_DURATION && actual !== undefined)
    return { path, message: durationMessage(actual) };
  switch (issue.code) {
    case 'invalid_value':
      return {
        path,
        message: `unknown ${nounFor(path)} ${JSON.stringify(actual)} (expected one of ${issue.values.map(String).join(', ')})`,
      };
    case 'unrecognized_keys':
      return {
        path: issue.keys.length === 1 ? [...path, issue.keys[0] as string] : path,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
        atKey: issue.keys.length === 1,
      };
    case 'invalid_type':
      if (actual === undefined)
        return { path, message: `missing required field (${issue.expected})` };
      return { path, message: `expected ${issue.expected}, got ${JSON.stringify(actual)}` };
    default:
      return { path, message: issue.message };
  }
}

/** Finds the closest YAML node for a path: the value itself, else its nearest parent. */
function nodeFor(doc: Document, path: readonly PropertyKey[]): YamlNode | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as YamlNode | undefined;
    if (node && (node.range || isMap(node) || isSeq(node))) return node;
  }
  return undefined;
}

/** The key node of the last path element, for problems about a field's name. */
function keyNodeFor(doc: Document, path: readonly PropertyKey[]): YamlNode | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const name = path[path.length - 1];
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === name);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/**
 * When the schema rejects the file, the cross-field rules still run on the parts that are
 * valid on their own (each node, pool, model, budget parsed alone, defaults applied), so one
 * pass reports every problem. Indices are kept, so paths stay true to the file.
 */
function salvage(data: unknown): Inventory {
  const raw = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const each = <T>(list: unknown, schema: z.ZodType<T>): unknown[] =>
    Array.isArray(list) ? list.map((item) => schema.safeParse(item).data ?? item) : [];
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const parsedObservability = inventorySchema.shape.observability.safeParse(raw.observability);
  return {
    ...raw,
    nodes: each(raw.nodes, nodeSchema),
    models: each(raw.models, modelSchema),
    routing: { pools: each(obj(raw.routing).pools, poolSchema) },
    budgets: { hops: each(obj(raw.budgets).hops, hopBudgetSchema) },
    observability: parsedObservability.data ?? obj(raw.observability),
  } as unknown as Inventory;
}

export interface ParseResult {
  inventory?: Inventory;
  problems: InventoryProblem[];
}

/** Parses inventory text; `file` names it in messages. Never throws for user error. */
export function parseInventory(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const problems: InventoryProblem[] = [];

  for (const err of doc.errors) {
    const { line, col } = at(err.pos[0]);
    problems.push({
      file,
      line,
      column: col,
      path: '',
      message: `YAML syntax error: ${err.message.split('\n')[0]}`,
    });
  }
  if (problems.length) return { problems };

  const locate = (path: readonly PropertyKey[], atKey = false) => {
    const node = (atKey && keyNodeFor(doc, path)) || nodeFor(doc, path);
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = at(offset);
    return { line, column: col };
  };

  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    return {
      problems: [
        { file, line: 1, column: 1, path: '', message: 'empty file (expected cluster and nodes)' },
      ],
    };
  }
  const parsed = inventorySchema.safeParse(data);
  const schemaPaths = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { path, message, atKey } = describeIssue(issue, data);
      const dotted = formatPath(path);
      schemaPaths.add(dotted);
      problems.push({ file, ...locate(path, atKey), path: dotted, message });
    }
  }

  const ruleProblems = parsed.success
    ? checkRules(parsed.data)
    : checkRules(salvage(data), { lenient: true });
  for (const p of ruleProblems) {
    const dotted = formatPath(p.path);
    // A value the schema already rejected would only be reported twice.
    if ([...schemaPaths].some((s) => s === dotted || dotted.startsWith(`${s}.`))) continue;
    problems.push({ file, ...locate(p.path), path: dotted, message: p.message });
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return problems.length || !parsed.success ? { problems } : { inventory: parsed.data, problems };
}

/** Reads and validates an inventory file; throws InventoryError listing every problem. */
export function loadInventory(path: string): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new InventoryError([{ file: path, line: 1, column: 1, path: '', message: reason }]);
  }
  const { inventory, problems } = parseInventory(text, basename(path));
  if (!inventory) throw new InventoryError(problems);
  return inventory;
}
