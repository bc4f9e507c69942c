import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { STATUS_OF } from '../../functions/api/error-statuses';
import { openApiDocument } from '../../functions/api/openapi';
import { routeList } from '../../functions/api/routes';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: the document is read loosely here.
type Loose = any;

/** Every object schema with properties under `node` (maps excluded), with its JSON pointer. */
function* schemasIn(node: Loose, pointer: string): Generator<[string, Loose]> {
  if (node === null || typeof node !== 'object') return;
  if (!Array.isArray(node) && node.properties !== undefined && typeof node.properties === 'object')
    yield [pointer, node];
  for (const [key, value] of Object.entries(node)) yield* schemasIn(value, `${pointer}/${key}`);
}

describe('Function: openApiDocument', () => {
  const doc = openApiDocument() as Loose;
  const schemas = doc.components.schemas as Record<string, Loose>;
  const operations = routeList.map(
    (route) => [route.id, route, doc.paths[route.path]?.[route.method.toLowerCase()]] as const,
  );

  it('is OpenAPI 3.1 with a server to generate clients against', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0].url).toMatch(/^https:\/\//);
  });

  it.each(operations)('describes route %s', (_id, route, operation) => {
    expect(operation).toBeDefined();
    expect(operation.operationId).toBe(route.id);
    expect(Object.keys(operation.responses)).toContain(String(route.success.status));
    expect(operation.security).toEqual(route.auth === 'user' ? [{ bearer: [] }] : []);
    if (route.body !== undefined) expect(operation.requestBody).toBeDefined();
  });

  it('describes nothing that is not a route', () => {
    const all = Object.values(doc.paths).flatMap((p) => Object.keys(p as object));
    expect(all).toHaveLength(routeList.length);
  });

  it('names every object: none is inline in a path, and components nest only by $ref', () => {
    expect([...schemasIn(doc.paths, '#/paths')].map(([pointer]) => pointer)).toEqual([]);
    const nested = Object.entries(schemas).flatMap(([name, schema]) =>
      [...schemasIn(schema, `#/components/schemas/${name}`)]
        .map(([p]) => p)
        .filter((p) => p !== `#/components/schemas/${name}`),
    );
    expect(nested).toEqual([]);
    for (const name of ['User', 'Item', 'TokenResponse', 'Problem', 'Session', 'FieldError', 'ItemStatus']) {
      expect(schemas[name], name).toBeDefined();
    }
    const register = doc.paths['/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RegisterRequest',
    });
    expect(register.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/TokenResponse',
    });
  });

  it.each(operations.filter(([, route]) => route.errors.length > 0 && route.errorFormat !== 'oauth'))(
    "lists %s's error codes as the enum of its problem schema, each under its status",
    (id, route, operation) => {
      const name = `${id.charAt(0).toUpperCase()}${id.slice(1)}Problem`;
      expect(schemas[name].properties.code.enum).toEqual([...route.errors]);
      for (const code of route.errors) {
        const response = operation.responses[String(STATUS_OF[code])];
        expect(response.description).toContain(code);
        expect(response.content['application/problem+json'].schema).toEqual({
          $ref: `#/components/schemas/${name}`,
        });
      }
    },
  );

  it('answers the token endpoint errors in RFC 6749 form', () => {
    const token = doc.paths['/v1/oauth/token'].post;
    expect(token.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/OAuthError',
    });
    expect(schemas.OAuthError.properties.error.enum).toEqual([
      'invalid_request',
      'invalid_grant',
      'unsupported_grant_type',
    ]);
  });

  it('documents the bare 500 on every operation, and Retry-After where a code carries it', () => {
    for (const [, , operation] of operations) {
      expect(operation.responses['500']).toEqual({ $ref: '#/components/responses/InternalError' });
    }
    expect(schemas.InternalProblem.properties.code.enum).toEqual(['INTERNAL']);
    const locked = doc.paths['/v1/auth/login'].post.responses['429'];
    expect(locked.headers['retry-after']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    const smsLimited = doc.paths['/v1/auth/sms/send'].post.responses['429'];
    expect(smsLimited.headers['retry-after']).toBeDefined();
    expect(doc.paths['/v1/auth/login'].post.responses['401'].headers['retry-after']).toBeUndefined();
  });

  it('gives every time format date-time', () => {
    expect(schemas.User.properties.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schemas.Session.properties.expiresAt.format).toBe('date-time');
    expect(schemas.Item.properties.lastCheckedAt.format).toBe('date-time');
    expect(schemas.LinkToken.properties.expiration.format).toBe('date-time');
    const timeLike = [...schemasIn(schemas, '')].flatMap(([pointer, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([name]) => /(At|expiration)$|^at$/.test(name))
        .filter(([, property]) => (property as Loose).format !== 'date-time')
        .map(([name]) => `${pointer}/${name}`),
    );
    expect(timeLike).toEqual([]);
  });

  it('documents the limits the server enforces (a password is 8 to 128 characters)', () => {
    expect(schemas.RegisterRequest.properties.username).toMatchObject({ minLength: 3, maxLength: 32 });
    expect(schemas.RegisterRequest.properties.password).toMatchObject({ minLength: 8, maxLength: 128 });
    expect(schemas.SetPasswordRequest.properties.password).toMatchObject({ minLength: 8, maxLength: 128 });
    expect(schemas.LoginRequest.properties.password).toMatchObject({ minLength: 1, maxLength: 128 });
    expect(schemas.RegisterRequest.required).toEqual(['username', 'password']);
    const token = doc.paths['/v1/oauth/token'].post.requestBody.content;
    expect(Object.keys(token)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
  });

  it("passes Redocly's recommended rules with no error", async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'openapi-'));
    const file = join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    try {
      // Act
      const { stdout } = await run('node_modules/.bin/redocly', ['lint', file, '--format=json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
      const report = JSON.parse(stdout.slice(stdout.indexOf('{')));

      // Assess: no error; the only warnings are the two operations that cannot fail with a 4xx.
      expect(report.totals.errors).toBe(0);
      const warnings = report.problems.map((p: Loose) => `${p.ruleId} ${p.location[0].pointer}`);
      expect(warnings.sort()).toEqual([
        'operation-4xx-response #/paths/~1.well-known~1jwks.json/get/responses',
        'operation-4xx-response #/paths/~1openapi.json/get/responses',
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
