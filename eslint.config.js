// ESLint flat config: the TypeScript sources and tests are linted with type information
// (typescript-eslint's recommendedTypeChecked, through the project service reading
// tsconfig.json); the plain JS/MJS scripts (bin, bench, scripts, test/run.mjs) with ESLint's
// recommended rules and Node's globals. Formatting is prettier's job (.prettierrc), not ESLint's.
// A rule turned off or down here says why on its line.
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build output, generated code and data: not hand-written, not linted.
  { ignores: ['dist/**', 'node_modules/**', 'src/resources/lxd-config-keys*.ts', 'schemas/**', 'examples/**', 'test/corpus/**', '.bench/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Handing on a caught `unknown` as it was thrown (graph/walk.ts) invents no non-Error reason; literals and objects are still refused.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `_`-prefixed names are deliberately unused (a parameter an interface requires, a skipped destructured element).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
