import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layering is enforced here, not by convention:
// - the engine (src-main outside hosts/electron) must never import electron at runtime (type-only imports are allowed);
// - the renderer may import from the engine only the contract and the shared error types, never Node or engine code.
export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'build/native/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/hosts/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine must boot in plain Node: only src-main/hosts/electron may import electron.', allowTypeImports: true }],
          patterns: [{ group: ['electron/*'], message: 'The engine must not import electron.', allowTypeImports: true }],
        },
      ],
    },
  },
  {
    files: ['src-main/contract/**/*.ts', 'src-main/shared/errors.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'The contract is shared with the renderer: no Node imports.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'electron', 'fs', 'path', 'os', 'child_process'], message: 'The renderer runs in a browser sandbox.' },
            { regex: '^(\\.\\./)+src-main/(?!contract|shared/errors)', message: 'The renderer talks to the engine only through src-main/contract.' },
          ],
        },
      ],
    },
  },
  {
    // One file does one thing: no source file of the engine, the renderer or the shared code grows past ~450 lines
    // (tests may: a scenario reads best in one place).
    files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,tsx}', 'src-common/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'max-lines': ['error', { max: 450, skipBlankLines: false, skipComments: false }] },
  },
  {
    // CommonJS entry points and plain-JS scripts
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
