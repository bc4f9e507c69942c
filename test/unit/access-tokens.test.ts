import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
  accessTokenVerifier,
  JoseAccessTokenSigner,
} from '../../functions/adapters/access-tokens';
import { testKeySet } from '../support/keys';

const settings = {
  issuer: 'https://api.example.test',
  audience: 'linkguard-api',
  clientId: 'linkguard-app',
  ttlSeconds: 900,
};

describe('Class: JoseAccessTokenSigner', () => {
  it('issues ES256 at+jwt tokens with the RFC 9068 claims and a 15-minute life', async () => {
    // Prepare
    const keys = await testKeySet();
    const signer = new JoseAccessTokenSigner(async () => keys, settings);
    const now = new Date('2026-01-15T09:00:00Z');

    // Act
    const { token, expiresIn } = await signer.sign({ userId: 'usr_1', sessionId: 'ses_1', now });

    // Assess
    expect(expiresIn).toBe(900);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: keys.keys[0]?.kid });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: settings.issuer,
      aud: settings.audience,
      sub: 'usr_1',
      sid: 'ses_1',
      client_id: 'linkguard-app',
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 900,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    await expect(accessTokenVerifier(keys, settings)(token, now)).resolves.toEqual({
      userId: 'usr_1',
      sessionId: 'ses_1',
    });
  });

  it('names the configured client in client_id (RFC 9068 §2.2)', async () => {
    // Prepare
    const signer = new JoseAccessTokenSigner(testKeySet, { ...settings, clientId: 'com.example.finance' });

    // Act
    const { token } = await signer.sign({ userId: 'u', sessionId: 's', now: new Date() });

    // Assess
    expect(decodeJwt(token).client_id).toBe('com.example.finance');
  });

  it('gives every token its own jti', async () => {
    const signer = new JoseAccessTokenSigner(testKeySet, settings);
    const now = new Date();
    const a = decodeJwt((await signer.sign({ userId: 'u', sessionId: 's', now })).token);
    const b = decodeJwt((await signer.sign({ userId: 'u', sessionId: 's', now })).token);
    expect(a.jti).not.toBe(b.jti);
  });
});

describe('Function: accessTokenVerifier', () => {
  const now = new Date('2026-01-15T09:00:00Z');

  it('refuses a token whose exp - iat exceeds the configured lifetime, by a valid key', async () => {
    // Prepare: a token signed by the real key, but for a day.
    const keys = await testKeySet();
    const longLived = new JoseAccessTokenSigner(async () => keys, { ...settings, ttlSeconds: 86_400 });
    const { token } = await longLived.sign({ userId: 'usr_1', sessionId: 'ses_1', now });

    // Act
    const verified = accessTokenVerifier(keys, settings)(token, now);

    // Assess
    await expect(verified).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(accessTokenVerifier(keys, { ...settings, ttlSeconds: 86_400 })(token, now)).resolves.toEqual(
      {
        userId: 'usr_1',
        sessionId: 'ses_1',
      },
    );
  });

  it('refuses a token issued in the future beyond the skew, and accepts one within it', async () => {
    // Prepare
    const keys = await testKeySet();
    const signer = new JoseAccessTokenSigner(async () => keys, settings);
    const ahead = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const beyond = await signer.sign({
      userId: 'usr_1',
      sessionId: 'ses_1',
      now: ahead(ACCESS_TOKEN_CLOCK_SKEW_SECONDS + 1),
    });
    const within = await signer.sign({
      userId: 'usr_1',
      sessionId: 'ses_1',
      now: ahead(ACCESS_TOKEN_CLOCK_SKEW_SECONDS),
    });

    // Act
    const verify = accessTokenVerifier(keys, settings);

    // Assess
    await expect(verify(beyond.token, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(verify(within.token, now)).resolves.toEqual({ userId: 'usr_1', sessionId: 'ses_1' });
  });
});
