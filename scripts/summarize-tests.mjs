#!/usr/bin/env node
// Prints the one plain line CI reads: `N passed, N failed[, N skipped]`, from jest's JSON
// results and the lint result. Missing results count as a failure, never as a pass.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined);
const jest = read(join(root, '.okome', 'test-results.json'));
const lint = read(join(root, '.okome', 'lint-result.json'));

let passed = 0;
let failed = 0;
let skipped = 0;
if (jest) {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  skipped += jest.numPendingTests + jest.numTodoTests;
  // A suite that fails to load (syntax error, failing global setup) has no failed tests.
  failed += jest.numRuntimeErrorTestSuites;
} else {
  failed += 1;
}
if (!lint || (lint.ran && !lint.ok)) failed += 1;
else if (lint.ran) passed += 1;

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
