import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plaidControl } from '../support/bank';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/** `GET /v1/me/export` over HTTP: everything stored about the user, and no secret. */
let api: Awaited<ReturnType<typeof startTestApi>>;
const NONCE = 'nonce-1234567890';
const PASSWORD = 'a long and unusual passphrase 42';

beforeAll(async () => {
  api = await startTestApi({ providers: true, plaid: {} });
});
afterAll(async () => {
  await api.close();
});

/** Every string attribute of the table whose name says it is a secret (hashes, ciphertexts, tokens). */
async function storedSecrets(): Promise<string[]> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  const secrets: string[] = [];
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'string' && /hash|ciphertext|token|secret/i.test(name) && value.length >= 16)
      secrets.push(value);
    else if (value !== null && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) walk(inner, `${name}.${key}`);
  };
  for await (const page of paginateScan({ client }, { TableName: api.tableName }))
    for (const item of page.Items ?? []) walk(item, '');
  client.destroy();
  return secrets;
}

describe('GET /v1/me/export', () => {
  it('holds the profile, identities, sessions, history and bank links, and none of the secrets', async () => {
    // Prepare: a username, a phone, Apple and a bank, and every secret the test saw
    const username = `exp${Date.now()}`;
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
    });
    const token = registered.body.access_token as string;
    const phone = freshPhone();
    await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
    const smsCode = latestCode(phone);
    await api.call('POST', '/v1/me/identities/phone', { token, json: { phone, code: smsCode } });
    const appleResponse = await fetch(`${api.providers?.url}/emulator/oidc/apple/id-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonce: NONCE, name: 'Exporter' }),
    });
    const apple = (await appleResponse.json()) as { idToken: string; authorizationCode: string };
    await api.call('POST', '/v1/me/identities/social', {
      token,
      json: {
        provider: 'apple',
        idToken: apple.idToken,
        authorizationCode: apple.authorizationCode,
        nonce: NONCE,
      },
    });
    const link = await api.call('POST', '/v1/plaid/link-token', { token });
    const done = await plaidControl(api, '/emulator/link/complete', { linkToken: link.body.linkToken });
    const item = await api.call('POST', '/v1/plaid/items', {
      token,
      json: { publicToken: done.body.publicToken, linkToken: link.body.linkToken },
    });
    const plaidAccessToken = api.plaid?.items().find((i) => i.itemId === item.body.itemId)?.accessToken;
    const seen = [
      token,
      registered.body.refresh_token as string,
      PASSWORD,
      smsCode,
      apple.idToken,
      apple.authorizationCode,
      link.body.linkToken as string,
      done.body.publicToken as string,
      plaidAccessToken as string,
      ...(await storedSecrets()),
    ];

    // Act
    const r = await api.call('GET', '/v1/me/export', { token });

    // Assess: what is there
    expect(r.status).toBe(200);
    expect(r.body.profile.identities.map((i: { type: string }) => i.type).sort()).toEqual([
      'apple',
      'password',
      'phone',
    ]);
    expect(r.body.profile.identities.find((i: { type: string }) => i.type === 'phone').label).toMatch(
      /\*{4}/,
    );
    expect(r.body.sessions).toEqual([
      expect.objectContaining({ id: expect.any(String), createdAt: expect.any(String) }),
    ]);
    expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['account.registered', 'identity.linked']),
    );
    expect(r.body.bankLinks).toEqual([
      expect.objectContaining({
        itemId: item.body.itemId,
        history: expect.arrayContaining([expect.objectContaining({ type: 'linked' })]),
      }),
    ]);

    // Assess: no token, code, password, hash or ciphertext anywhere in it
    const document = JSON.stringify(r.body);
    expect(seen.filter((secret) => secret.length < 6)).toEqual([]);
    const leaked = seen.filter((secret) => document.includes(secret));
    expect(leaked).toEqual([]);
    expect(document).not.toMatch(/hash|ciphertext|providerToken|accessToken/i);
  });
});
