// The only module that writes files: generated rules and tests, each under a header that says
// where they come from, and imported specs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { GENERATED_HEADER } from './conventions';
import type { GeneratedFile } from './generate';

export function toYaml(content: unknown): string {
  return stringify(content, {
    lineWidth: 0,
    minContentWidth: 0,
    aliasDuplicateObjects: false,
    // The repository's Prettier style, so formatting a generated file changes nothing.
    singleQuote: true,
  });
}

export function renderGenerated(file: GeneratedFile, sources: string[], timeScale: number): string {
  const lines = [`# ${GENERATED_HEADER}`, `# sources: ${sources.join(', ')}`];
  if (timeScale !== 1)
    lines.push(
      `# TIME-SCALED ×${timeScale} for simulation: windows and \`for\` are ${timeScale}× shorter than production.`,
    );
  return `${lines.join('\n')}\n${toYaml(file.content)}`;
}

/** Writes every generated file into `dir`; returns their paths. */
export function writeGenerated(
  dir: string,
  files: GeneratedFile[],
  sources: string[],
  timeScale: number,
): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, renderGenerated(f, sources, timeScale));
    return path;
  });
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
