import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../functions/api/routes';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
let token: string;

beforeAll(async () => {
  api = await startTestApi({ plaid: {} });
  token = (
    await api.call('POST', '/v1/auth/register', {
      json: { username: 'prober', password: 'purple-otter-bakes-42' },
    })
  ).body.access_token;
});
afterAll(async () => {
  await api.close();
});

const MEGABYTE = 'x'.repeat(1024 * 1024);
const bodies: [string, { body?: string; headers?: Record<string, string> }][] = [
  ['bad JSON', { body: '{"username": ', headers: { 'content-type': 'application/json' } }],
  ['a JSON array', { body: '[1,2,3]', headers: { 'content-type': 'application/json' } }],
  ['JSON null', { body: 'null', headers: { 'content-type': 'application/json' } }],
  ['a wrong content type', { body: 'username=a', headers: { 'content-type': 'text/plain' } }],
  ['no content type', { body: '{"a":1}' }],
  [
    'wrong types',
    {
      body: '{"username":42,"password":true,"displayName":[],"allSessions":"yes","grant_type":7}',
      headers: { 'content-type': 'application/json' },
    },
  ],
  ['missing fields', { body: '{}', headers: { 'content-type': 'application/json' } }],
  [
    '1 MB strings',
    {
      body: JSON.stringify({ username: MEGABYTE, password: MEGABYTE }),
      headers: { 'content-type': 'application/json' },
    },
  ],
  [
    'a 1 MB form',
    {
      body: `grant_type=refresh_token&refresh_token=${MEGABYTE}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
  ],
  [
    'a prototype-pollution attempt',
    {
      body: '{"__proto__":{"admin":true},"username":"abc","password":"x"}',
      headers: { 'content-type': 'application/json' },
    },
  ],
];

const concretePath = (path: string) => path.replace('{sessionId}', 'ses_doesnotexist000000');
// Bodies cannot ride on GET here (fetch refuses), so GET routes get hostile query strings.
const queries = [
  '?cursor=',
  `?cursor=${'a'.repeat(4000)}`,
  '?cursor=%ZZ',
  '?cursor=a&cursor=b',
  '?__proto__[x]=1',
];

describe('Bad input on every route', () => {
  for (const route of routeList.filter((r) => r.method === 'GET')) {
    it.each(queries)(
      `${route.method} ${route.path} answers %s with a 4xx or success, never a 5xx`,
      async (query) => {
        const response = await api.call(
          'GET',
          `${route.path}${query}`,
          route.auth === 'user' ? { token } : {},
        );
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) expect(response.body.code).toMatch(/^[A-Z_]+$/);
      },
    );
  }

  for (const route of routeList.filter((r) => r.method !== 'GET')) {
    describe(`${route.method} ${route.path}`, () => {
      it.each(bodies)('answers %s with a 4xx and a stable code, never a 5xx', async (_name, input) => {
        const response = await api.call(route.method, concretePath(route.path), {
          ...input,
          ...(route.auth === 'user' ? { token } : {}),
        });
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          const code = route.errorFormat === 'oauth' ? response.body.error : response.body.code;
          expect(code).toMatch(/^[A-Za-z_]+$/);
        }
        expect(response.headers.get('x-request-id')).toBeTruthy();
      });
    });
  }

  it('answers a bad path parameter and a bad query string with 422', async () => {
    // The probes above may have signed the first session out (a logout with a junk body is still a
    // logout), and a signed-out session's access tokens are refused within seconds: sign in again.
    const token = (
      await api.call('POST', '/v1/auth/login', {
        json: { username: 'prober', password: 'purple-otter-bakes-42' },
      })
    ).body.access_token;
    const path = await api.call('DELETE', '/v1/me/sessions/%3Cscript%3E', { token });
    expect(path.body).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'path.sessionId' }],
    });
    const query = await api.call('GET', `/v1/me/events?cursor=${'a'.repeat(500)}`, { token });
    expect(query.body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
  });

  it('names each bad field', async () => {
    const r = await api.call('POST', '/v1/auth/register', { json: { username: 5, password: 'short' } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { path: 'username', message: 'must be a string' },
      { path: 'password', message: 'must be 8 to 128 characters' },
    ]);
    const missing = await api.call('POST', '/v1/auth/social', { json: { provider: 'myspace' } });
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'provider', message: 'must be one of: "wechat", "qq", "apple", "google"' },
        { path: 'codeChallenge', message: 'is required' },
      ]),
    );
  });

  it('sends security headers and a request id on errors too', async () => {
    const r = await api.call('POST', '/v1/auth/login', {
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('MALFORMED_BODY');
    expect(r.headers.get('strict-transport-security')).toContain('max-age');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
  });
});
