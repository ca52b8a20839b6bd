// Static files the shell needs from Grafana's public/ folder, found in npm packages: icons from
// @grafana/ui, fonts from @fontsource. Unknown icons get a neutral placeholder (not a 404, which
// the browser would report as a console error).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `node_modules/<name>` in `from` or the closest parent folder that has it. */
export function findModuleDir(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const PLACEHOLDER_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="4" fill="currentColor" opacity="0.5"/></svg>';

const FONTS: Record<string, [string, string]> = {
  'inter/Inter-Regular.woff2': ['@fontsource/inter', 'files/inter-latin-400-normal.woff2'],
  'inter/Inter-Medium.woff2': ['@fontsource/inter', 'files/inter-latin-500-normal.woff2'],
  'inter/Inter-Italic.woff2': ['@fontsource/inter', 'files/inter-latin-400-italic.woff2'],
  'inter/Inter-MediumItalic.woff2': ['@fontsource/inter', 'files/inter-latin-500-italic.woff2'],
};

export interface StaticFile {
  path?: string;
  body?: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
};

export function contentType(file: string): string {
  const ext = /\.[a-z0-9]+$/i.exec(file)?.[0] ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

export class AssetResolver {
  private readonly uiIcons?: string;

  constructor(
    private readonly pluginRoot: string,
    private readonly publicDir: string,
  ) {
    const ui = findModuleDir('@grafana/ui', pluginRoot);
    this.uiIcons = ui ? join(ui, 'dist', 'public', 'img', 'icons') : undefined;
  }

  /** `rest` is the path after /public/, already decoded and free of `..`. */
  resolve(rest: string): StaticFile | undefined {
    if (rest.startsWith('preview/')) {
      const p = join(this.publicDir, rest.slice('preview/'.length));
      return existsSync(p) ? { path: p, type: contentType(p) } : undefined;
    }
    const icon = /^build\/img\/icons\/(unicons|mono|solid|custom)\/([\w-]+)\.svg$/.exec(rest);
    if (icon) {
      const p = this.uiIcons ? join(this.uiIcons, icon[1] as string, `${icon[2]}.svg`) : undefined;
      return p && existsSync(p)
        ? { path: p, type: 'image/svg+xml' }
        : { body: PLACEHOLDER_ICON, type: 'image/svg+xml' };
    }
    if (rest.startsWith('fonts/')) {
      const font =
        FONTS[rest.slice('fonts/'.length)] ??
        (rest.includes('roboto/')
          ? ['@fontsource/roboto-mono', 'files/roboto-mono-latin-400-normal.woff2']
          : undefined);
      if (!font) return undefined;
      const dir = findModuleDir(font[0], this.pluginRoot);
      const p = dir ? join(dir, font[1]) : undefined;
      return p && existsSync(p) ? { path: p, type: 'font/woff2' } : undefined;
    }
    const img = /^plugins\/okome-slo-app\/(img\/[\w.-]+)$/.exec(rest);
    if (img) {
      const p = join(this.pluginRoot, 'src', img[1] as string);
      return existsSync(p) ? { path: p, type: contentType(p) } : undefined;
    }
    return undefined;
  }
}
