// The three Ollama endpoints polled at scrape time (research/exporters.md §3.3).

export interface OllamaRunningModel {
  name: string;
  model?: string;
  size?: number;
  size_vram?: number;
  expires_at?: string;
}
export interface OllamaTag {
  name: string;
  model?: string;
  size?: number;
}

async function getJson<T>(base: string, path: string, signal: AbortSignal): Promise<T> {
  const url = new URL(path, base);
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `GET ${url.pathname}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  if (!res.ok) throw new Error(`GET ${url.pathname}: HTTP ${res.status}`);
  try {
    return (await res.json()) as T;
  } catch {
    throw new Error(`GET ${url.pathname}: response is not JSON`);
  }
}

export async function fetchVersion(base: string, signal: AbortSignal): Promise<string> {
  const body = await getJson<{ version?: unknown }>(base, '/api/version', signal);
  if (typeof body.version !== 'string') throw new Error('GET /api/version: no "version" field');
  return body.version;
}

export async function fetchRunning(
  base: string,
  signal: AbortSignal,
): Promise<OllamaRunningModel[]> {
  const body = await getJson<{ models?: OllamaRunningModel[] }>(base, '/api/ps', signal);
  return Array.isArray(body.models) ? body.models.filter((m) => typeof m?.name === 'string') : [];
}

export async function fetchTags(base: string, signal: AbortSignal): Promise<OllamaTag[]> {
  const body = await getJson<{ models?: OllamaTag[] }>(base, '/api/tags', signal);
  return Array.isArray(body.models) ? body.models.filter((m) => typeof m?.name === 'string') : [];
}
