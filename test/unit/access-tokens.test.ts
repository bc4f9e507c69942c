import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
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
    const authTime = new Date('2026-01-15T08:55:00Z');
    const { token, expiresIn } = await signer.sign({ userId: 'usr_1', sessionId: 'ses_1', now, authTime });

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
      auth_time: authTime.getTime() / 1000,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    await expect(accessTokenVerifier(keys, settings)(token, now)).resolves.toEqual({
      userId: 'usr_1',
      sessionId: 'ses_1',
      authTime: authTime.getTime() / 1000,
    });
  });

  it('names the configured client in client_id (RFC 9068 §2.2)', async () => {
    // Prepare
    const signer = new JoseAccessTokenSigner(testKeySet, { ...settings, clientId: 'com.example.finance' });

    // Act
    const { token } = await signer.sign({
      userId: 'u',
      sessionId: 's',
      now: new Date(),
      authTime: new Date(),
    });

    // Assess
    expect(decodeJwt(token).client_id).toBe('com.example.finance');
  });

  it('gives every token its own jti', async () => {
    const signer = new JoseAccessTokenSigner(testKeySet, settings);
    const now = new Date();
    const a = decodeJwt((await signer.sign({ userId: 'u', sessionId: 's', now, authTime: now })).token);
    const b = decodeJwt((await signer.sign({ userId: 'u', sessionId: 's', now, authTime: now })).token);
    expect(a.jti).not.toBe(b.jti);
  });
});

describe('Function: accessTokenVerifier', () => {
  const now = new Date('2026-01-15T09:00:00Z');

  it('refuses a token whose exp - iat exceeds the configured lifetime, by a valid key', async () => {
    // Prepare: a token signed by the real key, but for a day.
    const keys = await testKeySet();
    const longLived = new JoseAccessTokenSigner(async () => keys, { ...settings, ttlSeconds: 86_400 });
    const { token } = await longLived.sign({ userId: 'usr_1', sessionId: 'ses_1', now, authTime: now });

    // Act
    const verified = accessTokenVerifier(keys, settings)(token, now);

    // Assess
    await expect(verified).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(accessTokenVerifier(keys, { ...settings, ttlSeconds: 86_400 })(token, now)).resolves.toEqual(
      { userId: 'usr_1', sessionId: 'ses_1', authTime: now.getTime() / 1000 },
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
      authTime: now,
    });
    const within = await signer.sign({
      userId: 'usr_1',
      sessionId: 'ses_1',
      now: ahead(ACCESS_TOKEN_CLOCK_SKEW_SECONDS),
      authTime: now,
    });

    // Act
    const verify = accessTokenVerifier(keys, settings);

    // Assess
    await expect(verify(beyond.token, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(verify(within.token, now)).resolves.toMatchObject({ userId: 'usr_1', sessionId: 'ses_1' });
  });

  it('hands on auth_time, refuses one later than iat or not an integer, and accepts a token without it', async () => {
    // Prepare: tokens signed by the real key with hand-made auth_time claims.
    const keys = await testKeySet();
    const key = await importJWK(keys.keys[0]!.privateJwk, 'ES256');
    const iat = now.getTime() / 1000;
    const token = (extra: Record<string, unknown>) =>
      new SignJWT({ sid: 'ses_1', ...extra })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: keys.keys[0]!.kid })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject('usr_1')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 900)
        .setJti(crypto.randomUUID())
        .sign(key);
    const verify = accessTokenVerifier(keys, settings);

    // Act + Assess
    await expect(verify(await token({ auth_time: iat - 60 }), now)).resolves.toEqual({
      userId: 'usr_1',
      sessionId: 'ses_1',
      authTime: iat - 60,
    });
    await expect(verify(await token({}), now)).resolves.toEqual({ userId: 'usr_1', sessionId: 'ses_1' });
    for (const bad of [iat + 1, 'yesterday', iat - 0.5]) {
      await expect(verify(await token({ auth_time: bad }), now)).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
    }
  });

  it('never signs an auth_time later than the token itself', async () => {
    const keys = await testKeySet();
    const signer = new JoseAccessTokenSigner(async () => keys, settings);
    const later = new Date(now.getTime() + 5000);
    const { token } = await signer.sign({ userId: 'usr_1', sessionId: 'ses_1', now, authTime: later });
    expect(decodeJwt(token).auth_time).toBe(now.getTime() / 1000);
  });
});
