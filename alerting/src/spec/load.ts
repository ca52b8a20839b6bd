// Reads a spec file in any supported format: okome-slo/v1, Sloth prometheus/v1, OpenSLO v1.
// Each format detects itself and maps onto the model, so they all feed the same generator.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import type { SloSet } from '../model';
import { SpecError } from '../problems';
import type { SpecProblem } from '../problems';
import { parseOwnSpec } from './own';
import { importOpenSlo, isOpenSlo } from './import/openslo';
import { importSloth, isSloth } from './import/sloth';

export type SpecFormat = 'okome' | 'sloth' | 'openslo';

export function detectFormat(text: string): SpecFormat | undefined {
  let first: unknown;
  try {
    first = parse(text.split(/^---\s*$/m).find((d) => d.trim()) ?? '');
  } catch {
    return undefined;
  }
  if (isSloth(first)) return 'sloth';
  if (isOpenSlo(first)) return 'openslo';
  if (typeof first === 'object' && first !== null && 'version' in first) return 'okome';
  return undefined;
}

/** Parses spec text of any supported format. */
export function parseSpec(
  text: string,
  file: string,
): { set?: SloSet; problems: SpecProblem[]; format?: SpecFormat } {
  const format = detectFormat(text) ?? 'okome';
  if (format === 'okome') return { ...parseOwnSpec(text, file), format };
  const imported = format === 'sloth' ? importSloth(text, file) : importOpenSlo(text, file);
  if (!imported.yaml) return { problems: imported.problems, format };
  return { ...parseOwnSpec(imported.yaml, file), format };
}

/** Reads and validates a spec file; throws SpecError listing every problem. */
export function loadSpec(path: string): SloSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new SpecError([{ file: path, line: 1, path: '', message: reason }]);
  }
  const { set, problems } = parseSpec(text, basename(path));
  if (!set || problems.length) throw new SpecError(problems);
  return set;
}
