import { beforeAll, describe, expect, it } from 'vitest';
import { backends, later, make, NOW, type Stores } from './backends';

describe.each(backends)('Contract: SessionStore and AuthorizationCodeStore ($name)', ({ stores: build }) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await build();
  });

  async function signedIn() {
    const user = make.user(NOW);
    const session = make.session(user.id, NOW);
    await stores.accounts.createAccount({
      user,
      identity: make.identity(user, 'password', make.id('u')),
      session,
      event: make.event(user.id, 'account.registered', NOW),
    });
    return { user, session };
  }

  const rotate = (
    s: { userId: string; id: string },
    expectedHash: string,
    nextHash: string,
    at = later(60),
  ) =>
    ({
      userId: s.userId,
      sessionId: s.id,
      expectedHash,
      nextHash,
      graceBox: `box-for-${nextHash}`,
      familyKey: 'family-key-if-none',
      now: at,
      idleExpiresAt: new Date(at.getTime() + 30 * 86400_000),
      client: { ip: '203.0.113.9', userAgent: 'x'.repeat(300) },
    }) as const;

  it('rotates only the current hash, keeping the previous one and the client', async () => {
    // Prepare
    const { user, session } = await signedIn();

    // Act
    const first = await stores.sessions.rotate(rotate(session, session.refreshHash, 'hash-2'));
    const replay = await stores.sessions.rotate(rotate(session, session.refreshHash, 'hash-3'));

    // Assess
    expect(first).toMatchObject({
      outcome: 'rotated',
      session: {
        id: session.id,
        refreshHash: 'hash-2',
        lastUsedAt: later(60).toISOString(),
        generation: 1,
        familyKey: 'family-key-if-none',
        graceBox: 'box-for-hash-2',
      },
    });
    expect(replay).toMatchObject({
      outcome: 'rejected',
      session: { id: session.id, refreshHash: 'hash-2', previousRefreshHash: session.refreshHash },
    });
    const [stored] = await stores.sessions.listForUser(user.id);
    expect(stored).toMatchObject({ ip: '203.0.113.9', rotatedAt: later(60).toISOString() });
    expect(stored?.userAgent).toHaveLength(256);
  });

  it('re-authenticates a live session: fresh authTime, rotated token, event; never a dead one', async () => {
    // Prepare
    const { user, session } = await signedIn();
    const reauth = (at: Date, nextHash: string) =>
      stores.sessions.reauthenticate({
        userId: user.id,
        sessionId: session.id,
        nextHash,
        familyKey: 'family-key-if-none',
        now: at,
        event: make.event(user.id, 'session.reauthenticated', at),
      });

    // Act
    const renewed = await reauth(later(700), 'hash-reauth');
    const intruder = await stores.sessions.reauthenticate({
      userId: 'usr_intruder',
      sessionId: session.id,
      nextHash: 'h',
      familyKey: 'k',
      now: later(701),
      event: make.event('usr_intruder', 'session.reauthenticated', later(701)),
    });
    await stores.sessions.revoke({
      userId: user.id,
      sessionId: session.id,
      reason: 'logout',
      now: later(710),
      event: make.event(user.id, 'session.signed_out', later(710)),
    });
    const dead = await reauth(later(720), 'hash-late');

    // Assess
    expect(renewed).toMatchObject({ authTime: later(700).toISOString(), generation: 1 });
    expect([intruder, dead]).toEqual([undefined, undefined]);
    expect(await stores.sessions.get(session.id)).toMatchObject({
      authTime: later(700).toISOString(),
      refreshHash: 'hash-reauth',
      previousRefreshHash: session.refreshHash,
      rotatedAt: later(700).toISOString(),
    });
  });

  it('reads a session by id, and nothing for an unknown id', async () => {
    const { user, session } = await signedIn();
    await expect(stores.sessions.get(session.id)).resolves.toMatchObject({
      id: session.id,
      userId: user.id,
      authTime: session.authTime,
    });
    await expect(stores.sessions.get('ses_unknown')).resolves.toBeUndefined();
  });

  it('refuses a rotation under another user id without showing the session', async () => {
    const { session } = await signedIn();
    const other = await stores.sessions.rotate(
      rotate({ ...session, userId: 'usr_intruder' }, session.refreshHash, 'h'),
    );
    expect(other).toEqual({ outcome: 'rejected', session: undefined });
  });

  it('refuses to rotate a dead session and to revoke it twice', async () => {
    // Prepare
    const { user, session } = await signedIn();
    const revoke = (at: Date) =>
      stores.sessions.revoke({
        userId: user.id,
        sessionId: session.id,
        reason: 'logout',
        now: at,
        event: make.event(user.id, 'session.signed_out', at),
      });

    // Act + Assess
    expect(await revoke(later(10))).toBe(true);
    expect(await revoke(later(20))).toBe(false);
    expect(await stores.sessions.rotate(rotate(session, session.refreshHash, 'h'))).toMatchObject({
      outcome: 'rejected',
      session: { revokeReason: 'logout' },
    });
  });

  it('refuses to rotate or revoke a session past its idle expiry', async () => {
    const { user, session } = await signedIn();
    const at = later(31 * 86400);
    expect(await stores.sessions.rotate(rotate(session, session.refreshHash, 'h', at))).toMatchObject({
      outcome: 'rejected',
    });
    expect(
      await stores.sessions.revoke({
        userId: user.id,
        sessionId: session.id,
        reason: 'logout',
        now: at,
        event: make.event(user.id, 'session.signed_out', at),
      }),
    ).toBe(false);
  });

  it('redeems an authorization code once, with its session, only while valid and for its challenge', async () => {
    // Prepare
    const { user } = await signedIn();
    const code = {
      codeHash: make.id('code'),
      userId: user.id,
      codeChallenge: 'challenge-1',
      createdAt: NOW.toISOString(),
      validUntil: later(60).toISOString(),
      isNewUser: false,
    };
    await stores.authorizationCodes.save(code);
    const redeem = (challenge: string, at: Date) => {
      const session = make.session(user.id, at);
      return stores.authorizationCodes
        .redeem({
          codeHash: code.codeHash,
          codeChallenge: challenge,
          now: at,
          session,
          event: make.event(user.id, 'login.succeeded', at),
        })
        .then((ok) => ({ ok, session }));
    };

    // Act
    const wrongChallenge = await redeem('challenge-2', later(10));
    const first = await redeem('challenge-1', later(10));
    const second = await redeem('challenge-1', later(20));

    // Assess
    expect([wrongChallenge.ok, first.ok, second.ok]).toEqual([false, true, false]);
    expect(await stores.authorizationCodes.find(code.codeHash)).toMatchObject({
      usedAt: later(10).toISOString(),
      sessionId: first.session.id,
    });
    const ids = (await stores.sessions.listForUser(user.id)).map((s) => s.id);
    expect(ids).toContain(first.session.id);
    expect(ids).not.toContain(second.session.id);
  });

  it('refuses an authorization code past its validity', async () => {
    const { user } = await signedIn();
    const codeHash = make.id('code');
    await stores.authorizationCodes.save({
      codeHash,
      userId: user.id,
      codeChallenge: 'c',
      createdAt: NOW.toISOString(),
      validUntil: later(60).toISOString(),
      isNewUser: true,
    });
    const at = later(61);
    const session = make.session(user.id, at);
    expect(
      await stores.authorizationCodes.redeem({
        codeHash,
        codeChallenge: 'c',
        now: at,
        session,
        event: make.event(user.id, 'login.succeeded', at),
      }),
    ).toBe(false);
    expect(await stores.authorizationCodes.find(make.id('nothing'))).toBeUndefined();
  });
});
