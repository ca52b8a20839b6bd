// A problem in a spec file, located by line and dotted path (`okome.yaml:14 slos[2].sli: ...`).
export interface SpecProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatSpecProblem(p: SpecProblem): string {
  return p.path
    ? `${p.file}:${p.line} ${p.path}: ${p.message}`
    : `${p.file}:${p.line} ${p.message}`;
}

/** Thrown when specs are not valid; carries every problem, not just the first. */
export class SpecError extends Error {
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatSpecProblem).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return out;
}
