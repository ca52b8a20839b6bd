// One jest run for the whole repository: a project per package (unit tests beside the code)
// and an `e2e` project for the cross-package tests in test/, which share one local stack.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      target: 'es2022',
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

// Tests import sibling packages from source, never from a stale build.
const moduleNameMapper = {
  '^@okome/(provisioning|exporters|alerting|controller|simulator)$': path.join(
    __dirname,
    '$1/src/index.ts',
  ),
  '^@okome/dashboards$': path.join(__dirname, 'dashboards/generator/src/index.ts'),
};

const nodePackage = (name) => ({
  displayName: name,
  rootDir: path.join(__dirname, name),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper,
});

module.exports = {
  projects: [
    ...['provisioning', 'exporters', 'alerting', 'controller', 'simulator'].map(nodePackage),
    require('./grafana-plugin/jest.config.js'),
    {
      displayName: 'e2e',
      rootDir: path.join(__dirname, 'test'),
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': swc },
      moduleNameMapper,
      setupFilesAfterEnv: ['<rootDir>/setup/timeout.ts'],
      globalSetup: '<rootDir>/setup/global-setup.ts',
      globalTeardown: '<rootDir>/setup/global-teardown.ts',
    },
  ],
};
