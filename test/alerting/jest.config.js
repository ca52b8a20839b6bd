// Runs the alerting e2e tests alone, without the shared local stack (they start their own
// Prometheus and Alertmanagers): npx jest -c test/alerting/jest.config.js
const path = require('node:path');
const root = require('../../jest.config.js');
const e2e = root.projects.find((p) => p.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'alerting-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.test.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  setupFilesAfterEnv: (e2e.setupFilesAfterEnv ?? []).map((f) =>
    f.replace('<rootDir>', path.join(__dirname, '..')),
  ),
};
