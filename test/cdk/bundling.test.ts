import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes';
import { routeDeployments } from '../../functions/manifest/function-manifest';
import { ServiceFunction } from '../../lib/constructs/service-function';

/**
 * The one test that really bundles: esbuild on this machine, then `npm ci` of the route's
 * `nodeModules` in the bundle directory, which needs the npm registry (or a warm npm cache).
 * Slow, so it builds only a password route and the (dependency-free) bootstrap.
 */
describe('Class: ServiceFunction (bundling)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'linkguard-bundling-'));
  const assets: Record<string, string> = {};

  beforeAll(() => {
    // Prepare
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundling');
    const common = { logRetention: RetentionDays.ONE_DAY, logLevel: 'INFO' };
    const login = new ServiceFunction(stack, 'Login', {
      ...common,
      handler: routes.login.handler,
      description: 'POST /v1/auth/login',
      nodeModules: routeDeployments.login.nodeModules,
    });
    const bootstrap = new ServiceFunction(stack, 'Bootstrap', {
      ...common,
      handler: 'signing-key-bootstrap',
      description: 'bootstrap',
    });

    // Act
    const assembly = app.synth();

    // The template names each function's code by asset hash; the bundle is `asset.<hash>/`.
    const template = assembly.getStackByName('Bundling').template as {
      Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
    };
    for (const [name, fn] of Object.entries({ login, bootstrap })) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
      const key = template.Resources[logicalId]?.Properties.Code?.S3Key ?? '';
      assets[name] = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    }
  }, 180_000);

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('bundles the handler as ESM, with the require shim and a source map', () => {
    const code = readFileSync(join(assets.login ?? '', 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(existsSync(join(assets.login ?? '', 'index.mjs.map'))).toBe(true);
  });

  it('leaves the AWS SDK and the route nodeModules outside the bundle', () => {
    const code = readFileSync(join(assets.login ?? '', 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@aws-sdk\/lib-dynamodb"/);
    expect(code).toMatch(/import\(\s*"@node-rs\/argon2"\s*\)/);
  });

  it('installs @node-rs/argon2 with the Linux ARM64 binary, whatever machine synthesizes', () => {
    // Prepare
    const scope = join(assets.login ?? '', 'node_modules', '@node-rs');

    // Act
    const packages = readdirSync(scope).sort();

    // Assess
    expect(packages).toEqual(['argon2', 'argon2-linux-arm64-gnu']);
    const binary = readdirSync(join(scope, 'argon2-linux-arm64-gnu')).filter((f) => f.endsWith('.node'));
    expect(binary).toEqual(['argon2.linux-arm64-gnu.node']);
  });

  it('ships nothing beside a bundle whose route lists no nodeModules', () => {
    expect(readdirSync(assets.bootstrap ?? '').sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });
});
