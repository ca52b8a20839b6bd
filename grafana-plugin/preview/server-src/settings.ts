// Plugin settings as Grafana keeps them: jsonData readable, secureJsonData write-only (only
// secureJsonFields, i.e. which keys are set, ever leaves the server).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface StoredSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface PublicSettings {
  id: string;
  type: 'app';
  name: string;
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Grafana expands $VAR and ${VAR} in provisioning files. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => env[a ?? b] ?? '');
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (isObj(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env)]));
  return value;
}

/** Reads the app entry for `pluginId` from a Grafana provisioning file (plugins/app.yaml). */
export function loadProvisionedSettings(
  file: string,
  pluginId: string,
  env: NodeJS.ProcessEnv = process.env,
): Partial<StoredSettings> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`--settings-file ${file}: ${(err as Error).message}`);
  }
  if (!isObj(doc) || !Array.isArray(doc.apps)) {
    throw new SettingsError(`--settings-file ${file}: expected "apps:" with a list of app entries`);
  }
  const entry = doc.apps.find((a) => isObj(a) && a.type === pluginId);
  if (!isObj(entry)) {
    throw new SettingsError(`--settings-file ${file}: no apps[] entry with type: ${pluginId}`);
  }
  const expanded = expandEnv(entry, env) as Record<string, unknown>;
  const secure = isObj(expanded.secureJsonData) ? expanded.secureJsonData : {};
  return {
    enabled: expanded.disabled !== true,
    jsonData: isObj(expanded.jsonData) ? expanded.jsonData : {},
    secureJsonData: Object.fromEntries(
      Object.entries(secure).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
      ),
    ),
  };
}

export class SettingsStore {
  private current: StoredSettings;

  constructor(
    private readonly pluginId: string,
    private readonly pluginName: string,
    initial: Partial<StoredSettings> = {},
  ) {
    this.current = {
      enabled: initial.enabled ?? true,
      pinned: initial.pinned ?? true,
      jsonData: { ...initial.jsonData },
      secureJsonData: { ...initial.secureJsonData },
    };
  }

  publicView(): PublicSettings {
    return {
      id: this.pluginId,
      type: 'app',
      name: this.pluginName,
      enabled: this.current.enabled,
      pinned: this.current.pinned,
      jsonData: { ...this.current.jsonData },
      secureJsonFields: Object.fromEntries(
        Object.keys(this.current.secureJsonData).map((k) => [k, true]),
      ),
    };
  }

  /** Server-side only: values for the route templates. */
  secrets(): Readonly<Record<string, string>> {
    return this.current.secureJsonData;
  }

  jsonData(): Readonly<Record<string, unknown>> {
    return this.current.jsonData;
  }

  /** POST /api/plugins/<id>/settings: secure keys change only when sent. */
  update(body: unknown): void {
    if (!isObj(body)) throw new SettingsError('body: expected a JSON object');
    if (body.jsonData !== undefined && !isObj(body.jsonData)) {
      throw new SettingsError('jsonData: expected an object');
    }
    if (
      body.secureJsonData !== undefined &&
      body.secureJsonData !== null &&
      !isObj(body.secureJsonData)
    ) {
      throw new SettingsError('secureJsonData: expected an object');
    }
    for (const key of ['enabled', 'pinned'] as const) {
      if (body[key] !== undefined && typeof body[key] !== 'boolean') {
        throw new SettingsError(`${key}: expected true or false`);
      }
    }
    const secure = isObj(body.secureJsonData) ? body.secureJsonData : {};
    for (const [k, v] of Object.entries(secure)) {
      if (typeof v !== 'string') throw new SettingsError(`secureJsonData.${k}: expected a string`);
    }
    this.current = {
      enabled: (body.enabled as boolean | undefined) ?? this.current.enabled,
      pinned: (body.pinned as boolean | undefined) ?? this.current.pinned,
      jsonData: isObj(body.jsonData) ? { ...body.jsonData } : this.current.jsonData,
      secureJsonData: { ...this.current.secureJsonData, ...(secure as Record<string, string>) },
    };
    // An emptied secret is removed, as Grafana does.
    for (const [k, v] of Object.entries(this.current.secureJsonData))
      if (v === '') delete this.current.secureJsonData[k];
  }
}
