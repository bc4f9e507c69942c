import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { JoseAccessTokenSigner } from '../../functions/adapters/access-tokens';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import { InvalidGrantError } from '../../functions/domain/errors';
import { refreshSession } from '../../functions/domain/refresh-session';
import { newSession } from '../../functions/domain/session-issuer';
import type { SessionPolicy } from '../../functions/domain/session-policy';
import { type InMemorySessionStore, type InMemoryUserDirectory, inMemoryStores } from '../fakes';
import { testKeySet } from '../support/keys';
import { ManualClock } from '../support/manual-clock';

const policy: SessionPolicy = { idleSeconds: 30 * 86400, absoluteSeconds: 90 * 86400, reuseGraceSeconds: 10 };

describe('Use case: refreshSession', () => {
  let clock: ManualClock;
  let sessions: InMemorySessionStore;
  let users: InMemoryUserDirectory;
  let refresh: ReturnType<typeof refreshSession>;
  let firstToken: string;
  let sessionId: string;

  beforeEach(async () => {
    // Prepare
    clock = new ManualClock();
    ({ sessions, users } = inMemoryStores());
    users.add({
      id: 'usr_a',
      displayName: 'A',
      emailConfirmed: false,
      notifications: { sms: true, email: true },
      createdAt: clock.now().toISOString(),
    });
    const signer = new JoseAccessTokenSigner(testKeySet, {
      issuer: 'iss',
      audience: 'aud',
      clientId: 'app',
      ttlSeconds: 900,
    });
    const deps = { clock, crypto: nodeTokenCrypto, sessions, users, signer, sessionPolicy: policy };
    refresh = refreshSession(deps);
    const created = newSession(deps, 'usr_a', clock.now(), {});
    sessions.add(created.session);
    firstToken = created.refreshToken;
    sessionId = created.session.id;
  });

  describe('the newest token', () => {
    it('rotates on every use, slides the idle expiry, and keeps the sign-in time as auth_time', async () => {
      // Act
      clock.advance(3600);
      const grant = await refresh(firstToken, { ip: '203.0.113.9' });
      const again = await refresh(grant.refreshToken, {});

      // Assess
      expect(grant.refreshToken).not.toBe(firstToken);
      expect(again.refreshToken).not.toBe(grant.refreshToken);
      expect(grant.accessToken.split('.')).toHaveLength(3);
      expect(sessions.table.sessions.get(sessionId)).toMatchObject({
        idleExpiresAt: new Date(clock.now().getTime() + 30 * 86400_000).toISOString(),
        ip: '203.0.113.9',
      });
      expect(sessions.table.sessions.get(sessionId)).toMatchObject({ lastUsedAt: clock.now().toISOString() });
      expect(sessions.table.auditEvents).toEqual([]);
      const signedInAt = Date.parse(new ManualClock().now().toISOString()) / 1000;
      expect(decodeJwt(again.accessToken)).toMatchObject({ auth_time: signedInAt, iat: signedInAt + 3600 });
    });
  });

  describe('an old token', () => {
    it('answers the same head within the grace window: no fork, no revocation, no write', async () => {
      // Prepare: the client lost the response of its refresh.
      const lost = await refresh(firstToken, {});
      clock.advance(5);
      const stored = structuredClone(sessions.table.sessions.get(sessionId));

      // Act
      const retried = await refresh(firstToken, {});

      // Assess
      expect(retried.refreshToken).toBe(lost.refreshToken);
      expect(decodeJwt(retried.accessToken).sid).toBe(sessionId);
      expect(sessions.table.sessions.get(sessionId)).toEqual(stored);
      await expect(refresh(retried.refreshToken, {})).resolves.toBeDefined();
    });

    it('revokes the session for a token three generations back, even within the grace window', async () => {
      // Prepare
      let token = firstToken;
      for (let i = 0; i < 3; i++) token = (await refresh(token, {})).refreshToken;
      clock.advance(1);

      // Act
      const reuse = refresh(firstToken, {});

      // Assess
      await expect(reuse).rejects.toMatchObject({ code: InvalidGrantError.code });
      expect(sessions.table.sessions.get(sessionId)?.revokeReason).toBe('refresh_token_reuse');
      await expect(refresh(token, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    });

    it('revokes nothing for an old generation whose tag is forged', async () => {
      // Prepare: an attacker knows the user and session ids (they are in every access token).
      await refresh((await refresh(firstToken, {})).refreshToken, {});
      const [uid, sid] = firstToken.split('.');

      // Act
      const forged = refresh(`${uid}.${sid}.0.AAAAAAAAAAAAAAAAAAAAAA.${'x'.repeat(43)}`, {});

      // Assess
      await expect(forged).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      expect(sessions.table.sessions.get(sessionId)?.revokedAt).toBeUndefined();
    });

    it('revokes the whole session when it comes back after the grace window', async () => {
      // Prepare
      const grant = await refresh(firstToken, {});
      clock.advance(60);

      // Act
      const reuse = refresh(firstToken, {});

      // Assess
      await expect(reuse).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      expect(sessions.table.sessions.get(sessionId)?.revokeReason).toBe('refresh_token_reuse');
      expect(sessions.table.auditEvents.map((e) => e.event.type)).toContain('session.reuse_detected');
      // The legitimate holder's newer token dies with the session.
      await expect(refresh(grant.refreshToken, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    });
  });

  describe('expiry', () => {
    it('lets an idle session die', async () => {
      // Act
      clock.advance(31 * 86400);
      const attempt = refresh(firstToken, {});

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    });

    it('caps an active session at the absolute expiry', async () => {
      // Prepare: a session used every 20 days.
      let token = firstToken;
      for (let day = 20; day < 90; day += 20) {
        clock.advance(20 * 86400);
        token = (await refresh(token, {})).refreshToken;
      }

      // Act
      clock.advance(11 * 86400); // day 91 of the session
      const attempt = refresh(token, {});

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    });
  });

  describe('tokens that are not ours', () => {
    it('refuses garbage, and a session id under another user id', async () => {
      // Prepare
      const [, ...rest] = firstToken.split('.');

      // Act
      const garbage = refresh('garbage', {});
      const foreign = refresh(`usr_other.${rest.join('.')}`, {});

      // Assess
      await expect(garbage).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      await expect(foreign).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      expect(sessions.table.sessions.get(sessionId)?.revokedAt).toBeUndefined();
    });
  });
});
