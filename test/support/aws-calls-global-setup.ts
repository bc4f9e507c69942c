import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the integration and e2e test files write the AWS calls they recorded. */
    awsCallsDirectory: string;
  }
}

interface Shared {
  directory: string;
  users: number;
}

const KEY = Symbol.for('linkguard.test.aws-calls-directory');
const registry = globalThis as unknown as Record<symbol, Shared | undefined>;

/**
 * One directory per run for the recorded AWS calls, shared by the projects that write them
 * (integration, e2e) and the one that checks them (claims); removed when the run ends.
 */
export default function setup(project: TestProject) {
  registry[KEY] ??= { directory: mkdtempSync(join(tmpdir(), 'linkguard-aws-calls-')), users: 0 };
  const shared = registry[KEY];
  shared.users++;
  project.provide('awsCallsDirectory', shared.directory);
  return () => {
    shared.users--;
    if (shared.users > 0) return;
    registry[KEY] = undefined;
    rmSync(shared.directory, { recursive: true, force: true });
  };
}
