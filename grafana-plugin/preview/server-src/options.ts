// Command line of the preview server. Every address it listens on or forwards to must be
// loopback: the preview is for tests and demos on one machine.
import { readFileSync } from 'node:fs';

export interface PreviewOptions {
  host: string;
  port: number;
  prometheusUrl?: string;
  prometheusUid: string;
  prometheusName: string;
  controllerUrl?: string;
  controllerToken?: string;
  settingsFile?: string;
  /** Folder with main.js/main.css of the shell (preview/dist/public). */
  publicDir: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: okome-preview --listen HOST:PORT [options]

Serves the okome-slo-app pages in a minimal Grafana-like shell (FOR TESTS AND DEMOS ONLY, not
Grafana): Grafana's datasource proxy to a real Prometheus, the plugin's plugin.json routes to a
real okome-controller with the token added server-side, and the plugin settings API.

  --listen HOST:PORT            loopback address to bind, e.g. 127.0.86.49:3000 (required)
  --prometheus URL              Prometheus behind /api/datasources/proxy/uid/<uid>/
  --prometheus-uid UID          datasource uid (default okome-prometheus)
  --prometheus-name NAME        datasource name (default Prometheus)
  --controller URL              okome-controller base URL (sets jsonData.controllerUrl)
  --controller-token-file FILE  file holding the controller's bearer token (secureJsonData)
  --settings-file FILE          Grafana provisioning file (apps: [{type: okome-slo-app, ...}])
  --help                        this text

GET /api/health answers 200 with JSON once the server listens.`;

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_V4.test(host) || host === 'localhost' || host === '::1' || host === '[::1]';
}

/** An upstream URL: http(s), loopback host only. */
export function checkUpstream(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${flag}: "${value}" is not a URL (expected e.g. http://127.0.86.49:9090)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag}: ${url.protocol} is not supported (use http or https)`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new UsageError(`${flag}: ${url.hostname} is not a loopback address (127.0.0.0/8 only)`);
  }
  return value.replace(/\/+$/, '');
}

export function parseArgs(argv: string[], publicDir: string): PreviewOptions | 'help' {
  const opts: Partial<PreviewOptions> = {
    prometheusUid: 'okome-prometheus',
    prometheusName: 'Prometheus',
    publicDir,
  };
  let listen: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.includes('=')
      ? (arg.split(/=(.*)/s, 2) as [string, string])
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--listen':
        listen = value();
        break;
      case '--prometheus':
        opts.prometheusUrl = checkUpstream(flag, value());
        break;
      case '--prometheus-uid':
        opts.prometheusUid = value();
        break;
      case '--prometheus-name':
        opts.prometheusName = value();
        break;
      case '--controller':
        opts.controllerUrl = checkUpstream(flag, value());
        break;
      case '--controller-token-file': {
        const file = value();
        try {
          opts.controllerToken = readFileSync(file, 'utf8').trim();
        } catch (err) {
          throw new UsageError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
        }
        if (!opts.controllerToken) throw new UsageError(`${flag}: ${file} is empty`);
        break;
      }
      case '--settings-file':
        opts.settingsFile = value();
        break;
      default:
        throw new UsageError(`unknown argument ${arg} (see --help)`);
    }
  }
  if (!listen)
    throw new UsageError('--listen HOST:PORT is required, e.g. --listen 127.0.86.49:3000');
  const m = /^(.+):(\d+)$/.exec(listen);
  if (!m) throw new UsageError(`--listen: "${listen}" is not HOST:PORT`);
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  if (!isLoopbackHost(host)) {
    throw new UsageError(`--listen: ${host} is not a loopback address (127.0.0.0/8 only)`);
  }
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  return { ...(opts as PreviewOptions), host, port };
}
