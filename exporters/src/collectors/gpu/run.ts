// Runs an SMI tool under the scrape's abort signal and turns its failures into one-line errors
// that name the tool and what to do.
import { execFile } from 'node:child_process';

/**
 * @param usableOnFailure when the tool exits non-zero but printed this, its output is used:
 *   rocm-smi of ROCm 4.5 to 5.2 prints a whole JSON document and still exits with the status
 *   of the last query that was "Not supported" (e.g. per-process VRAM on some boards).
 */
export async function runTool(
  path: string,
  args: readonly string[],
  signal: AbortSignal,
  flag: string,
  usableOnFailure?: (stdout: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      args,
      {
        signal,
        maxBuffer: 32 * 1024 * 1024,
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { code?: string | number };
        if (signal.aborted) return reject(signal.reason ?? err);
        if (e.code === 'ENOENT')
          return reject(new Error(`${path} not found (install it or set ${flag})`));
        if (e.code === 'EACCES') return reject(new Error(`${path} is not executable (${flag})`));
        if (typeof e.code === 'number' && usableOnFailure?.(stdout)) return resolve(stdout);
        const said = `${stdout}\n${stderr}`
          .split('\n')
          .map((l) => l.trim())
          .find(Boolean);
        reject(
          new Error(
            `${path} failed with exit code ${String(e.code ?? 'unknown')}${said ? `: ${said}` : ''}`,
          ),
        );
      },
    );
  });
}
