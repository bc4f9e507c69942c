import { readFileSync } from 'node:fs';
import { base64url, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwk, type SigningKeySet } from '../../functions/adapters/signing-keys';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
let keys: SigningKeySet;
let grant: { access_token: string; refresh_token: string; user: { id: string } };

beforeAll(async () => {
  api = await startTestApi();
  const r = await api.call('POST', '/v1/auth/register', {
    json: { username: 'victim', password: 'purple-otter-bakes-42' },
  });
  grant = r.body;
  keys = JSON.parse(readFileSync(api.env.SIGNING_KEYS_FILE as string, 'utf8'));
});
afterAll(async () => {
  await api.close();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ sid: 'ses_whatever12345', jti: crypto.randomUUID() });

async function forge(options: {
  header?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
  exp?: number;
  key?: SigningKeySet['keys'][number];
  extra?: Record<string, unknown>;
}): Promise<string> {
  const key = options.key ?? (keys.keys[0] as SigningKeySet['keys'][number]);
  return new SignJWT({ ...claims(), ...(options.extra ?? {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...(options.header ?? {}) } as never)
    .setIssuer(options.issuer ?? api.env.JWT_ISSUER!)
    .setAudience(options.audience ?? api.env.JWT_AUDIENCE!)
    .setSubject(grant.user.id)
    .setIssuedAt(now() - 60)
    .setExpirationTime(options.exp ?? now() + 600)
    .sign(await importJWK(key.privateJwk, 'ES256'));
}

const me = (token: string) => api.call('GET', '/v1/me', { token });

describe('Access-token attacks, each a 401 before any handler runs', () => {
  it('accepts a well-formed token (control)', async () => {
    expect((await me(await forge({}))).status).toBe(200);
    expect((await me(grant.access_token)).status).toBe(200);
  });

  const cases: [string, () => Promise<string>][] = [
    [
      'alg: none',
      async () => {
        const header = base64url.encode(
          JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: keys.keys[0]?.kid }),
        );
        return `${header}.${grant.access_token.split('.')[1]}.`;
      },
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const pub = new TextEncoder().encode(JSON.stringify(publicJwk(keys.keys[0]!)));
        return new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: keys.keys[0]?.kid })
          .setIssuer(api.env.JWT_ISSUER!)
          .setAudience(api.env.JWT_AUDIENCE!)
          .setSubject(grant.user.id)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(pub);
      },
    ],
    ['an unknown kid', async () => forge({ key: await generateSigningKey(new Date()) })],
    [
      'a right kid with a foreign key',
      async () => forge({ key: { ...(await generateSigningKey(new Date())), kid: keys.keys[0]!.kid } }),
    ],
    ['an expired token', () => forge({ exp: now() - 1 })],
    ['a wrong audience', () => forge({ audience: 'someone-else' })],
    ['a wrong issuer', () => forge({ issuer: 'https://evil.example' })],
    ['a wrong typ', () => forge({ header: { typ: 'JWT' } })],
    ['a token with no typ', () => forge({ header: { typ: undefined } })],
    ['a refresh token', async () => grant.refresh_token],
    [
      'an OIDC id token',
      () => forge({ header: { typ: 'JWT' }, audience: 'ios-client-id', extra: { nonce: 'n' } }),
    ],
    [
      'one flipped byte in the payload',
      async () => {
        const [h, p, s] = grant.access_token.split('.') as [string, string, string];
        const bytes = Buffer.from(p, 'base64url');
        bytes[10] = (bytes[10] as number) ^ 0x01;
        return `${h}.${bytes.toString('base64url')}.${s}`;
      },
    ],
    ['garbage', async () => 'not-a-jwt'],
  ];

  it.each(cases)('refuses %s', async (_name, make) => {
    const response = await me(await make());
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('INVALID_TOKEN');
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refuses a missing header and a non-Bearer scheme', async () => {
    expect((await api.call('GET', '/v1/me')).body.code).toBe('INVALID_TOKEN');
    const basic = await api.call('GET', '/v1/me', {
      headers: { authorization: `Basic ${grant.access_token}` },
    });
    expect(basic.status).toBe(401);
  });
});
