// Runs a TypeScript entry point from source in a child process (tests only): transpiles .ts with
// @swc/core on require and maps @okome/* to the packages' src/index.ts, like jest does.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const ROOT = path.join(__dirname, '..', '..', '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@okome\/(provisioning|exporters|alerting|controller|simulator)$/.exec(request);
  return resolveFilename.call(
    this,
    m ? path.join(ROOT, m[1], 'src', 'index.ts') : request,
    ...rest,
  );
};
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const entry = process.argv[2];
process.argv.splice(1, 2, entry);
require(path.resolve(entry));
