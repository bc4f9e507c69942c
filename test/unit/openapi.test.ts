import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi';
import { routeList } from '../../functions/api/routes';

describe('Function: openApiDocument', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the document is read loosely here.
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
  });

  it.each(routeList.map((r) => [r.id, r] as const))('describes route %s', (_id, route) => {
    const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
    expect(operation).toBeDefined();
    expect(operation.operationId).toBe(route.id);
    expect(Object.keys(operation.responses)).toContain(String(route.success.status));
    expect(operation.security).toEqual(route.auth === 'user' ? [{ bearer: [] }] : []);
    if (route.body !== undefined) expect(operation.requestBody).toBeDefined();
  });

  it('describes nothing that is not a route', () => {
    const operations = Object.values(doc.paths).flatMap((p) => Object.keys(p));
    expect(operations).toHaveLength(routeList.length);
  });

  it('documents request constraints from the validating schemas', () => {
    const schema = doc.paths['/v1/auth/register']?.post.requestBody.content['application/json'].schema;
    expect(schema.properties.username).toMatchObject({ minLength: 3, maxLength: 32 });
    expect(schema.required).toEqual(['username', 'password']);
    const token = doc.paths['/v1/oauth/token']?.post.requestBody.content;
    expect(Object.keys(token)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
  });
});
