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
    const signer = new JoseAccessTokenSigner(testKeySet(), {
      issuer: 'iss',
      audience: 'aud',
      ttlSeconds: 900,
    });
    const deps = { clock, crypto: nodeTokenCrypto, sessions, users, signer, sessionPolicy: policy };
    refresh = refreshSession(deps);
    const created = newSession(deps, 'usr_a', clock.now(), {});
    sessions.add(created.session);
    firstToken = created.refreshToken;
    sessionId = created.session.id;
  });

  it('rotates the token on every use and slides idle expiry', async () => {
    clock.advance(3600);
    const grant = await refresh(firstToken, {});
    expect(grant.refreshToken).not.toBe(firstToken);
    expect(grant.accessToken.split('.')).toHaveLength(3);
    expect(sessions.table.sessions.get(sessionId)?.idleExpiresAt).toBe(
      new Date(clock.now().getTime() + 30 * 86400_000).toISOString(),
    );
    const again = await refresh(grant.refreshToken, {});
    expect(again.refreshToken).not.toBe(grant.refreshToken);
  });

  it('refuses a replay within the grace window but keeps the session alive', async () => {
    const grant = await refresh(firstToken, {});
    clock.advance(5);
    await expect(refresh(firstToken, {})).rejects.toMatchObject({ code: InvalidGrantError.code });
    expect(sessions.table.sessions.get(sessionId)?.revokedAt).toBeUndefined();
    await expect(refresh(grant.refreshToken, {})).resolves.toBeDefined();
  });

  it('revokes the whole session when a rotated token comes back after the grace window', async () => {
    const grant = await refresh(firstToken, {});
    clock.advance(60);
    await expect(refresh(firstToken, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    expect(sessions.table.sessions.get(sessionId)?.revokeReason).toBe('refresh_token_reuse');
    expect(sessions.table.auditEvents.map((e) => e.event.type)).toContain('session.reuse_detected');
    // The legitimate holder's newer token dies with the session.
    await expect(refresh(grant.refreshToken, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });

  it('lets idle sessions die and caps active ones at the absolute expiry', async () => {
    clock.advance(31 * 86400);
    await expect(refresh(firstToken, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });

    // A fresh session used every 20 days still dies at day 90.
    const created = newSession({ crypto: nodeTokenCrypto, sessionPolicy: policy }, 'usr_a', clock.now(), {});
    sessions.add(created.session);
    let token = created.refreshToken;
    for (let day = 20; day < 90; day += 20) {
      clock.advance(20 * 86400);
      token = (await refresh(token, {})).refreshToken;
    }
    clock.advance(11 * 86400); // day 91 of this session
    await expect(refresh(token, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });

  it('refuses tokens that are not ours, and a session id under another user id', async () => {
    await expect(refresh('garbage', {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    const [, sid, secret] = firstToken.split('.');
    await expect(refresh(`usr_other.${sid}.${secret}`, {})).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });
});
