/** Two tiers: unit specs beside the code, e2e specs in test/ against real PostgreSQL and the sandbox. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// Jest's transform cache lives with the project, not in /tmp: a test run leaves nothing there
const cacheDirectory = '<rootDir>/node_modules/.cache/jest';

module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/helpers/skip-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      cacheDirectory,
      roots: ['<rootDir>/src', '<rootDir>/sandbox'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      cacheDirectory,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      cacheDirectory,
      roots: ['<rootDir>/test'],
      testMatch: ['**/faults/*.fault-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
