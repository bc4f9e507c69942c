import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  api = await startTestApi({ env: { CORS_ALLOWED_ORIGINS: 'http://localhost:5173,http://127.0.0.1:5173' } });
});
afterAll(async () => {
  await api.close();
});

const preflight = (path: string, origin: string, method = 'POST') =>
  fetch(`${api.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('The local server answers what API Gateway answers', () => {
  it('answers a preflight for an allowed origin, before the authorizer, with the shared policy', async () => {
    // Act: a user route, with no token at all
    const response = await preflight('/v1/me/sessions', 'http://localhost:5173', 'GET');

    // Assess
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives no CORS headers to an origin that is not allowed', async () => {
    const response = await preflight('/v1/auth/login', 'https://evil.example');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('adds the CORS headers to real answers, errors included, and exposes x-request-id', async () => {
    // Act
    const response = await fetch(`${api.url}/v1/auth/login`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'not-a-real-password' }),
    });

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it.each([
    ['GET', '/v1/nowhere', 404, 'ROUTE_NOT_FOUND'],
    ['DELETE', '/v1/auth/login', 405, 'METHOD_NOT_ALLOWED'],
    ['GET', '/v1/plaid/items/%E0%A4%A', 400, 'MALFORMED_PATH'],
    ['GET', '/_local/%zz', 400, 'MALFORMED_PATH'],
  ])('%s %s is a %i problem (%s) with x-request-id', async (method, path, status, code) => {
    // Act
    const response = await api.call(method, path);

    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status, code });
    expect(response.headers.get('x-request-id')).toBe(response.body.requestId);
  });

  it('names the allowed methods of a 405 in the allow header', async () => {
    const response = await api.call('DELETE', '/v1/auth/login');
    expect(response.headers.get('allow')).toBe('POST');
  });
});
