// ESLint (flat config) with typescript-eslint's type information. What it guards:
// - types (recommendedTypeChecked): no `any` spreading from JSON.parse, catch or untyped modules (no-unsafe-*),
//   no assertion that changes nothing, no array or object in a template literal, no detached method, no async
//   function without await;
// - promises: every promise is awaited or explicitly `void`ed with a reason (no-floating-promises), and no
//   promise goes where a plain value or a void callback is expected (no-misused-promises);
// - architecture: src/core never imports `vscode` (it runs in the CLI and in unit tests too); src/server (the
//   machinery copied into the user's workspace) imports only Node built-ins and its own files;
// - notifications: src/extension shows them only through notify(), which escapes link syntax.
// `npm run lint`; `npm test` runs it before the test layers.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      '.vscode-test/**',
      '.vscode-e2e/**',
      '.demo-workspace/**',
      'test/fixtures/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: new URL('.', import.meta.url).pathname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test()/describe() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'no-control-regex': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', ignoreRestSiblings: true, caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/core/**/*.mts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message:
                'src/core is pure TypeScript and runs outside VS Code (CLI, unit tests): pass what it needs as arguments.',
            },
          ],
        },
      ],
    },
  },
  {
    // A notification turns [label](command:…) into a link that runs a command, and its text often quotes a server
    // or a file: every notification goes through notify() (platform/notify.ts), which shows it as written.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/platform/notify.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^show(Information|Warning|Error)Message$/]',
          message:
            'Use notify() from platform/notify.ts: it keeps text from servers and files from becoming command links.',
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.mts'],
    rules: {
      // Needed under a user's own tsconfig (noUncheckedIndexedAccess), and the copied bytes are pinned per template.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\./)',
              message:
                "src/server is copied into the user's workspace on its own: import only node: built-ins and ./ siblings.",
            },
          ],
        },
      ],
    },
  },
);
