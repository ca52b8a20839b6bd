/** One problem found in an inventory, located in its file. */
export interface InventoryProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path with indices, e.g. `nodes[3].roles[0]`. */
  path: string;
  message: string;
}

export function formatProblem(p: InventoryProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where} ${p.message}`;
}

/** Thrown when an inventory is not valid; carries every problem, not just the first. */
export class InventoryError extends Error {
  constructor(readonly problems: InventoryProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InventoryError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
