// Flat config: typescript-eslint's recommended rules plus the project's conventions
// (named exports only, type-only imports marked, no deep imports into another package).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.okome/**',
      'test-results/**',
      'coverage/**',
      'grafana-plugin/.config/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@okome/*/src', '@okome/*/src/*', '@okome/*/dist/*'],
              message: "Import another package only through its public entry ('@okome/<name>').",
            },
          ],
        },
      ],
    },
  },
  {
    // Tools that require a default export: jest global setup/teardown, Playwright's config.
    files: ['test/setup/global-*.ts', '**/playwright.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
