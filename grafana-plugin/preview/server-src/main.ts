// okome-preview: CLI entry of the preview server (bundled to preview/dist/server.js).
import { join } from 'node:path';
import { parseArgs, USAGE, UsageError } from './options';
import { createPreviewServer } from './server';
import { SettingsError } from './settings';

const pluginRoot = join(__dirname, '..', '..');

function main(): void {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), join(__dirname, 'public'));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`okome-preview: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }
  let preview;
  try {
    preview = createPreviewServer(opts, pluginRoot);
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(`okome-preview: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const { server } = preview;
  server.on('error', (err: NodeJS.ErrnoException) => {
    console.error(
      `okome-preview: cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`,
    );
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    console.log(
      `okome-preview (tests and demos only, not Grafana) on ${preview.url()} — prometheus ${opts.prometheusUrl ?? 'none'}, controller ${String(preview.settings.jsonData().controllerUrl ?? 'not set')}`,
    );
  });
  const stop = () => {
    void preview.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
