/** An error message fit for a label value: one line, bounded length. */
export function errorLabel(err: unknown): string {
  const msg =
    err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  const line = (msg ?? 'unknown error').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line || 'unknown error';
}
