import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

/** A deployment as a bare `cdk deploy` makes it: no Plaid credentials, no sign-in provider. */
let api: Awaited<ReturnType<typeof startTestApi>>;
let token: string;

beforeAll(async () => {
  api = await startTestApi();
  const username = `bare${Date.now()}`;
  const registered = await api.call('POST', '/v1/auth/register', {
    json: { username, password: 'a long and unusual passphrase 42' },
  });
  token = registered.body.access_token;
});
afterAll(async () => {
  await api.close();
});

describe('Without Plaid configured', () => {
  it.each([
    ['POST', '/v1/plaid/link-token', undefined],
    [
      'POST',
      '/v1/plaid/items',
      { publicToken: 'public-sandbox-00000000-0000-0000-0000-000000000000', linkToken: 'link-sandbox-x' },
    ],
  ])('answers %s %s with 503 PLAID_NOT_CONFIGURED, never 500', async (method, path, json) => {
    const r = await api.call(method, path, { token, ...(json === undefined ? {} : { json }) });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 503, code: 'PLAID_NOT_CONFIGURED' });
  });

  it("answers Plaid's webhook with 503 PLAID_NOT_CONFIGURED", async () => {
    const r = await api.call('POST', '/v1/plaid/webhook', {
      json: { webhook_type: 'ITEM', webhook_code: 'ERROR', item_id: 'x' },
      headers: { 'plaid-verification': 'x.y.z' },
    });
    expect(r.body).toMatchObject({ status: 503, code: 'PLAID_NOT_CONFIGURED' });
  });

  it('still lists bank links (there are none): only what needs Plaid refuses', async () => {
    const r = await api.call('GET', '/v1/plaid/items', { token });
    expect(r.status).toBe(200);
  });
});

describe('Without sign-in providers configured', () => {
  const PKCE = { codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256' };
  it.each([
    ['WeChat', { provider: 'wechat', code: 'wx-code' }],
    ['QQ', { provider: 'qq', accessToken: 'qq-token' }],
    ['Apple', { provider: 'apple', idToken: 'a.b.c', nonce: 'nonce-1234567890' }],
    ['Google', { provider: 'google', idToken: 'a.b.c', nonce: 'nonce-1234567890' }],
  ])('answers %s with 503 PROVIDER_NOT_CONFIGURED', async (name, credential) => {
    const r = await api.call('POST', '/v1/auth/social', { json: { ...PKCE, ...credential } });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });
    expect(r.body.detail).toContain(name);
  });
});
