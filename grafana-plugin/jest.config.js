// Jest project for the plugin's components (jsdom + React Testing Library). The root
// jest.config.js lists it in `projects`; run alone with `npx jest --selectProjects grafana-plugin`.
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

// ESM-only packages that @grafana/ui pulls in (d3-color ships `main: *.mjs` since 3.1.1).
const esmPackages = [
  'd3',
  'd3-.*',
  'internmap',
  'ol',
  'react-colorful',
  'rxjs',
  'uuid',
  'marked',
  'marked-mangle',
  'react-calendar',
  'get-user-locale',
  'memoize',
  'mimic-function',
  '@wojtekmaj/.*',
];

module.exports = {
  displayName: 'grafana-plugin',
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}', '<rootDir>/preview/**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': path.join(__dirname, 'jest', 'styleMock.js'),
    // Icons load over HTTP in the browser; in jsdom they render as an empty <svg> (create-plugin's mock).
    '^react-inlinesvg$': path.join(__dirname, 'jest', 'inlineSvgMock.js'),
    // Tests read the seed inventories through the provisioning package's source.
    '^@okome/provisioning$': path.join(__dirname, '..', 'provisioning', 'src', 'index.ts'),
  },
  setupFilesAfterEnv: [path.join(__dirname, 'jest', 'setup.js')],
};
