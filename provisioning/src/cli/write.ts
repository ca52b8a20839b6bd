// The only place the renderers' output touches disk. Each file is written to a temporary name
// and renamed, because Prometheus re-reads file_sd files as soon as they change.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RenderedFile } from '../render/bundle';

/** Writes every file under `outDir`; returns their absolute paths. */
export function writeRendered(outDir: string, files: readonly RenderedFile[]): string[] {
  const root = resolve(outDir);
  return files.map((file) => {
    const target = join(root, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, file.content);
    renameSync(temp, target);
    return target;
  });
}
