import { relative } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { assertNoUnrecordedMock, installAwsCallRecorder, writeRecordedCalls } from './aws-calls';

/**
 * Setup file of the integration and e2e projects: records the AWS calls of each test file,
 * per function, into the run's directory (`test/support/aws-calls-global-setup.ts`), where the
 * least-privilege check (`test/claims/`) reads them.
 */
installAwsCallRecorder();
let testFile = '';
beforeAll(() => {
  testFile = relative(process.cwd(), expect.getState().testPath ?? '');
});
afterEach(() => {
  assertNoUnrecordedMock();
});
afterAll(() => {
  writeRecordedCalls(inject('awsCallsDirectory'), testFile);
});
