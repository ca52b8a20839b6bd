#!/usr/bin/env node
// Builds the preview shell (browser bundle with the plugin's source) and the preview server
// (Node bundle) into preview/dist/. esbuild only; no download.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = join(here, 'dist');
mkdirSync(join(out, 'public'), { recursive: true });
const production = !process.argv.includes('--dev');

// The same file @grafana/runtime's index imports, so setPluginPage swaps the live binding.
const runtimeRoot = dirname(require.resolve('@grafana/runtime/package.json'));
const pluginPage = join(runtimeRoot, 'dist', 'esm', 'components', 'PluginPage.mjs');

await Promise.all([
  build({
    entryPoints: { main: join(here, 'shell', 'main.tsx') },
    outdir: join(out, 'public'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    minify: production,
    sourcemap: true,
    logLevel: 'warning',
    define: {
      'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development'),
      global: 'globalThis',
    },
    loader: {
      '.ttf': 'file',
      '.eot': 'file',
      '.woff': 'file',
      '.woff2': 'file',
      '.svg': 'file',
      '.png': 'file',
    },
    alias: { 'grafana-runtime-internal/PluginPage': pluginPage },
  }),
  build({
    entryPoints: { server: join(here, 'server-src', 'main.ts') },
    outdir: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
console.log(`preview built in ${out}`);
