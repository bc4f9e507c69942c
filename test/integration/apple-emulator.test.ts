import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

/**
 * The Apple emulator follows Apple's documentation (Sign in with Apple REST API: Token validation,
 * Token revocation, ErrorResponse), and Apple sign-in exchanges the app's authorization code.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const NONCE = 'nonce-1234567890';
const CLIENT_ID = 'com.linkguard.app';

beforeAll(async () => {
  api = await startTestApi({ clock, providers: true });
});
afterAll(async () => {
  await api.close();
});

const idp = async (path: string, body: unknown = {}, method = 'POST') => {
  const response = await fetch(`${api.providers?.url}${path}`, {
    method,
    ...(method === 'GET'
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const form = async (
  path: string,
  fields: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded',
) => {
  const response = await fetch(`${api.providers?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const mint = async (extra: Record<string, unknown> = {}) =>
  (await idp('/emulator/oidc/apple/id-token', { nonce: NONCE, ...extra })).body as {
    idToken: string;
    authorizationCode: string;
    sub: string;
  };

/** A client secret as Apple's docs describe it, with one claim changed at a time. */
async function clientSecret(
  change: { iss?: string; sub?: string; aud?: string; exp?: number; kid?: string; key?: 'other' } = {},
) {
  const now = Math.floor(clock.now().getTime() / 1000);
  const key =
    change.key === 'other'
      ? (await generateKeyPair('ES256')).privateKey
      : await importPKCS8(api.env.APPLE_PRIVATE_KEY ?? '', 'ES256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: change.kid ?? api.env.APPLE_KEY_ID ?? '' })
    .setIssuer(change.iss ?? api.env.APPLE_TEAM_ID ?? '')
    .setSubject(change.sub ?? CLIENT_ID)
    .setAudience(change.aud ?? 'https://appleid.apple.com')
    .setIssuedAt(now)
    .setExpirationTime(change.exp ?? now + 300)
    .sign(key);
}

describe('Apple emulator: POST /auth/token (Token validation)', () => {
  it('exchanges an authorization code once for Apple’s token response', async () => {
    // Prepare
    const { authorizationCode, sub } = await mint();
    const fields = {
      client_id: CLIENT_ID,
      client_secret: await clientSecret(),
      code: authorizationCode,
      grant_type: 'authorization_code',
    };

    // Act
    const first = await form('/auth/token', fields);
    const second = await form('/auth/token', { ...fields, client_secret: await clientSecret() });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(first.body.refresh_token).toEqual(expect.any(String));
    const claims = JSON.parse(
      Buffer.from(String(first.body.id_token).split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims).toMatchObject({ sub, aud: CLIENT_ID, iss: 'https://appleid.apple.com' });
    expect(second).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a code older than five minutes with invalid_grant', async () => {
    const { authorizationCode } = await mint();
    clock.advance(301);
    const r = await form('/auth/token', {
      client_id: CLIENT_ID,
      client_secret: await clientSecret(),
      code: authorizationCode,
      grant_type: 'authorization_code',
    });
    expect(r).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it.each([
    ['another team id as iss', { iss: 'OTHERTEAM1' }],
    ['another client id as sub', { sub: 'com.example.other' }],
    ['another audience', { aud: 'https://example.com' }],
    [
      'an exp more than 15777000 s (6 months) ahead',
      { exp: Math.floor(Date.now() / 1000) + 15_777_000 + 3600 },
    ],
    ['an expired secret', { exp: Math.floor(Date.now() / 1000) - 3600 }],
    ['another key id', { kid: 'OTHERKEY01' }],
    ['a key that is not ours', { key: 'other' as const }],
  ])('refuses a client secret with %s: 400 invalid_client', async (_name, change) => {
    const { authorizationCode } = await mint();
    const r = await form('/auth/token', {
      client_id: CLIENT_ID,
      client_secret: await clientSecret(change),
      code: authorizationCode,
      grant_type: 'authorization_code',
    });
    expect(r).toEqual({ status: 400, body: { error: 'invalid_client' } });
  });

  it('answers invalid_request to JSON (Apple takes forms) and unsupported_grant_type to other grants', async () => {
    const secret = await clientSecret();
    const json = await fetch(`${api.providers?.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: CLIENT_ID,
        client_secret: secret,
        grant_type: 'authorization_code',
        code: 'x',
      }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'invalid_request' });
    const password = await form('/auth/token', {
      client_id: CLIENT_ID,
      client_secret: secret,
      grant_type: 'password',
    });
    expect(password.body).toEqual({ error: 'unsupported_grant_type' });
  });
});

describe('Apple emulator: POST /auth/revoke (Token revocation)', () => {
  it('revokes a refresh token, records it, and answers 200 again for a revoked or unknown token', async () => {
    // Prepare
    const { authorizationCode, sub } = await mint();
    const tokens = await form('/auth/token', {
      client_id: CLIENT_ID,
      client_secret: await clientSecret(),
      code: authorizationCode,
      grant_type: 'authorization_code',
    });
    const refreshToken = String(tokens.body.refresh_token);
    const revoke = async (token: string) =>
      form('/auth/revoke', {
        client_id: CLIENT_ID,
        client_secret: await clientSecret(),
        token,
        token_type_hint: 'refresh_token',
      });

    // Act
    const first = await revoke(refreshToken);
    const again = await revoke(refreshToken);
    const unknown = await revoke('r-never-issued');
    const refreshed = await form('/auth/token', {
      client_id: CLIENT_ID,
      client_secret: await clientSecret(),
      refresh_token: refreshToken,
      grant_type: 'refresh_token',
    });

    // Assess
    expect([first.status, again.status, unknown.status]).toEqual([200, 200, 200]);
    expect(refreshed.body).toEqual({ error: 'invalid_grant' });
    const listed = await idp(`/emulator/oidc/apple/revocations?sub=${encodeURIComponent(sub)}`, {}, 'GET');
    expect(listed.body.revocations).toEqual([
      expect.objectContaining({ sub, clientId: CLIENT_ID, tokenTypeHint: 'refresh_token' }),
    ]);
  });

  it('refuses a bad client secret with invalid_client and revokes nothing', async () => {
    const r = await form('/auth/revoke', {
      client_id: CLIENT_ID,
      client_secret: await clientSecret({ key: 'other' }),
      token: 'anything',
    });
    expect(r).toEqual({ status: 400, body: { error: 'invalid_client' } });
  });
});

/** The Apple identity's record as stored (read straight from DynamoDB Local). */
async function storedIdentity(sub: string) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  const stored = await client.send(
    new GetCommand({ TableName: api.tableName, Key: { pk: `IDENTITY#apple#${sub}`, sk: 'IDENTITY' } }),
  );
  client.destroy();
  return stored.Item;
}

describe('Apple sign-in exchanges the authorizationCode', () => {
  const social = (body: Record<string, unknown>) =>
    api.call('POST', '/v1/auth/social', {
      json: { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256', ...body },
    });

  it('keeps Apple’s refresh token encrypted on the Apple identity, never in clear', async () => {
    // Prepare
    const { idToken, authorizationCode, sub } = await mint({ name: 'Ana' });

    // Act
    const r = await social({ provider: 'apple', idToken, nonce: NONCE, authorizationCode });

    // Assess
    expect(r.status).toBe(200);
    const stored = { Item: await storedIdentity(sub) };
    expect(stored.Item?.providerToken).toMatchObject({
      clientId: CLIENT_ID,
      ciphertext: expect.stringMatching(/^v1:/),
    });
    expect(JSON.stringify(stored.Item)).not.toMatch(/"r[A-Za-z0-9_-]{32}"/);
  });

  it('keeps the newer refresh token when the same Apple user signs in again', async () => {
    // Prepare
    const first = await mint();
    expect((await social({ provider: 'apple', ...first, nonce: NONCE })).status).toBe(200);
    const before = await storedIdentity(first.sub);
    const again = await mint({ sub: first.sub, nonce: 'nonce-again-12345' });

    // Act
    const r = await social({ provider: 'apple', ...again, nonce: 'nonce-again-12345' });

    // Assess
    expect(r.body.isNewUser).toBe(false);
    const after = await storedIdentity(first.sub);
    expect(after?.providerToken.ciphertext).not.toBe(before?.providerToken.ciphertext);
    expect(after?.userId).toBe(before?.userId);
  });

  it('answers 422 without the authorizationCode, and 401 PROVIDER_REJECTED for a used one', async () => {
    const first = await mint();
    const missing = await social({ provider: 'apple', idToken: first.idToken, nonce: NONCE });
    expect(missing.body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'authorizationCode' })]);

    const other = await mint({ nonce: 'nonce-other-12345' });
    expect((await social({ provider: 'apple', ...other, nonce: 'nonce-other-12345' })).status).toBe(200);
    const second = await mint({ sub: other.sub, nonce: 'nonce-second-1234' });
    const reused = await social({
      provider: 'apple',
      idToken: second.idToken,
      nonce: 'nonce-second-1234',
      authorizationCode: other.authorizationCode,
    });
    expect(reused.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
  });

  it('refuses a code that belongs to another Apple user than the id_token', async () => {
    const ana = await mint();
    const bob = await mint();
    const r = await social({
      provider: 'apple',
      idToken: ana.idToken,
      nonce: NONCE,
      authorizationCode: bob.authorizationCode,
    });
    expect(r.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
  });

  it('answers 502 PROVIDER_UNAVAILABLE while Apple’s token endpoint is down', async () => {
    const { idToken, authorizationCode } = await mint();
    await idp('/emulator/faults', { provider: 'apple', mode: 'error', times: 1 });
    // The JWKS fetch is cached; the one faulty call is Apple's /auth/token.
    const r = await social({ provider: 'apple', idToken, nonce: NONCE, authorizationCode });
    expect(r.body).toMatchObject({ status: 502, code: 'PROVIDER_UNAVAILABLE' });
  });
});
