/** Jest runs in native ESM mode (middy 7 is ESM-only); @swc/jest strips the types. */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript' },
        target: 'es2022',
        experimental: { keepImportAttributes: true },
      },
      module: { type: 'es6' },
    },
  ],
};

const shared = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^#lib/(.*)$': '<rootDir>/functions/lib/$1',
    '^#local/(.*)$': '<rootDir>/local/$1',
  },
  setupFilesAfterEnv: ['<rootDir>/tests/setup.ts'],
};

export default {
  globalSetup: '<rootDir>/tests/global-setup.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    },
  ],
};
