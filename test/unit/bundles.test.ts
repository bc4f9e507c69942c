import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLING } from '../../bench/bundles';
import { deployedRoutes as routeList } from '../../functions/manifest/function-manifest';

const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The per-function budget. The biggest share is libphonenumber-js's mobile metadata (~136 KB) in
 * every function that reads a phone number; then zod/mini, jose and the route table (~25 KB of
 * routes, schemas and manifest, which every handler still imports whole). Raised from 300 KB
 * when reauth, sms-verify and sms-reverify crossed it with the recovery routes.
 */
const BUDGET_KB = 320;
const NATIVE_OR_LAZY = ['@node-rs/argon2', '@zxcvbn-ts/language-common', 'plaid'];
const targets = [
  ...routeList.map((r) => ({ name: r.handler, nodeModules: r.nodeModules ?? [] })),
  { name: 'authorizer', nodeModules: [] as readonly string[] },
  { name: 'poller-dispatch', nodeModules: [] as readonly string[] },
  { name: 'poller-worker', nodeModules: [] as readonly string[] },
];

/**
 * The CDK unit tests skip bundling, so this bundles every function the way the construct does —
 * the AWS SDK and only its own route's `nodeModules` left outside — to catch, in seconds, a
 * handler that reaches a native module it does not ship.
 */
describe('Function bundles', () => {
  it.each(targets)(
    `$name bundles with only its own nodeModules, under ${BUDGET_KB} KB`,
    async ({ name, nodeModules }) => {
      const result = await build({
        ...BUNDLING,
        sourcemap: false,
        entryPoints: [join(ROOT, 'functions', 'handlers', `${name}.ts`)],
        external: ['@aws-sdk/*', ...nodeModules],
        write: false,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]?.text ?? '';
      expect(code.length).toBeLessThan(BUDGET_KB * 1024);
      for (const pkg of NATIVE_OR_LAZY.filter((p) => !nodeModules.includes(p))) {
        // An import of it, not its name: the bundled route table names it as data.
        expect(code).not.toMatch(new RegExp(`(import\\(|from)\\s*["']${pkg}["']`));
      }
    },
  );

  it.each(['authorizer', 'jwks'])(
    '%s loads no Secrets Manager client: it has the public keys only (issue 10 item 5)',
    async (name) => {
      // Act: bundled with the SDK left outside, as in Lambda: an SDK import stays a named import.
      const result = await build({
        ...BUNDLING,
        sourcemap: false,
        entryPoints: [join(ROOT, 'functions', 'handlers', `${name}.ts`)],
        external: ['@aws-sdk/*'],
        write: false,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]?.text ?? '';

      // Assess
      expect(code).not.toContain('@aws-sdk/client-secrets-manager');
      expect(code).not.toContain('GetSecretValue');
    },
  );
});
