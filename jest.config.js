/** Jest runs the TypeScript tests through ts-jest in transpile-only mode;
 * type errors are caught once by `tsc` in setup, not per test file. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // Stack tests drive the real Pulumi engine; give them room.
  testTimeout: 120000,
  verbose: false,
};
