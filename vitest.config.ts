import { defineConfig } from 'vitest/config';

/** Starts DynamoDB Local for the projects that talk to it (once per run, however many ask). */
const dynamodbLocal = 'test/support/dynamodb-global-setup.ts';
/** The run's directory of recorded AWS calls (written by integration and e2e, read by claims). */
const awsCalls = 'test/support/aws-calls-global-setup.ts';
/** Records each test file's AWS calls, per function. */
const recordAwsCalls = 'test/support/aws-calls-setup.ts';

export default defineConfig({
  test: {
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // EMF lines on stdout only where a test reads them (it turns them back on).
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // Pure code: no DynamoDB Local, no Java, no network. `npm run test:unit` runs these alone.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The CDK app synthesized and checked; no DynamoDB Local either. A synthesis is seconds of
      // CPU alone, and several times that on a busy machine (cdk-nag and social went past 30 s).
      {
        extends: true,
        test: { name: 'cdk', include: ['test/cdk/**/*.test.ts'], testTimeout: 120_000 },
      },
      // Handlers and adapters over HTTP against DynamoDB Local (each test file makes its own table).
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [dynamodbLocal, awsCalls],
          setupFiles: [recordAwsCalls],
        },
      },
      // Whole journeys through the local runtime, as a client sees them.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [dynamodbLocal, awsCalls],
          setupFiles: [recordAwsCalls],
        },
      },
      // After every other project: the AWS calls integration and e2e recorded, against the
      // synthesized IAM policies (needs the whole suite in the same run, as `npm test` runs it).
      {
        extends: true,
        test: {
          name: 'claims',
          include: ['test/claims/**/*.test.ts'],
          globalSetup: [awsCalls],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
