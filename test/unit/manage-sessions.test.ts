import { beforeEach, describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import { listSessions, revokeSession, signOut } from '../../functions/domain/manage-sessions';
import { newSession } from '../../functions/domain/session-issuer';
import { InMemoryTable } from '../fakes/in-memory-table';
import { InMemorySessionStore } from '../fakes/session-store';
import { ManualClock } from '../support/manual-clock';
import { sessionPolicy } from '../support/policies';

describe('Use cases: manage sessions', () => {
  let clock: ManualClock;
  let table: InMemoryTable;
  let sessions: InMemorySessionStore;
  const deps = () => ({ clock, crypto: nodeTokenCrypto, sessions });

  /** Stores a session of `userId` started now, as a sign-in would have. */
  const signIn = (userId: string, client: { ip?: string; userAgent?: string } = {}) => {
    const { session } = newSession({ crypto: nodeTokenCrypto, sessionPolicy }, userId, clock.now(), client);
    sessions.add(session);
    return session.id;
  };
  const events = () => table.auditEvents.map(({ event }) => event);

  beforeEach(() => {
    clock = new ManualClock();
    table = new InMemoryTable();
    sessions = new InMemorySessionStore(table);
  });

  describe('Use case: listSessions', () => {
    describe('the user’s devices', () => {
      it('lists the live sessions newest first, marks the current one, and hides dead and foreign ones', async () => {
        // Prepare
        const first = signIn('usr_a', { ip: '203.0.113.9', userAgent: 'LinkGuard/1.0 iOS' });
        clock.advance(60);
        const second = signIn('usr_a');
        clock.advance(60);
        const revoked = signIn('usr_a');
        await revokeSession(deps())('usr_a', revoked, {});
        signIn('usr_b');

        // Act
        const views = await listSessions(deps())('usr_a', second);

        // Assess
        expect(views.map((v) => [v.id, v.current])).toEqual([
          [second, true],
          [first, false],
        ]);
        expect(views[1]).toMatchObject({ ip: '203.0.113.9', userAgent: 'LinkGuard/1.0 iOS' });
        expect(views[0]).not.toHaveProperty('ip');
      });

      it('shows when each session ends (the earlier of idle and absolute expiry), and drops it then', async () => {
        // Prepare
        const id = signIn('usr_a');

        // Act
        const [view] = await listSessions(deps())('usr_a', id);
        clock.advance(30 * 86400);
        const atIdleExpiry = await listSessions(deps())('usr_a', id);

        // Assess
        expect(view?.expiresAt).toBe('2026-02-14T09:00:00.000Z');
        expect(atIdleExpiry).toEqual([]);
      });
    });
  });

  describe('Use case: revokeSession', () => {
    describe('one session', () => {
      it("revokes one of the user's sessions and records who did it", async () => {
        // Prepare
        const id = signIn('usr_a');

        // Act
        await revokeSession(deps())('usr_a', id, { ip: '198.51.100.7' });

        // Assess
        expect(table.sessions.get(id)).toMatchObject({
          revokedAt: clock.now().toISOString(),
          revokeReason: 'revoked_by_user',
        });
        expect(events()).toEqual([
          expect.objectContaining({
            userId: 'usr_a',
            type: 'session.revoked',
            sessionId: id,
            ip: '198.51.100.7',
          }),
        ]);
      });

      it("answers NOT_FOUND for another user's session, and leaves it alone", async () => {
        // Prepare
        const theirs = signIn('usr_b');

        // Act
        const attempt = revokeSession(deps())('usr_a', theirs, {});

        // Assess
        await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(table.sessions.get(theirs)?.revokedAt).toBeUndefined();
        expect(events()).toEqual([]);
      });

      it('answers NOT_FOUND for an unknown or already revoked session', async () => {
        // Prepare
        const id = signIn('usr_a');
        await revokeSession(deps())('usr_a', id, {});

        // Act
        const again = revokeSession(deps())('usr_a', id, {});
        const unknown = revokeSession(deps())('usr_a', 'ses_nope', {});

        // Assess
        await expect(again).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(unknown).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(events()).toHaveLength(1);
      });
    });
  });

  describe('Use case: signOut', () => {
    describe('signing out', () => {
      it("ends the caller's session only, as `logout`", async () => {
        // Prepare
        const mine = signIn('usr_a');
        const other = signIn('usr_a');

        // Act
        await signOut(deps())({ userId: 'usr_a', sessionId: mine, allSessions: false }, {});

        // Assess
        expect(table.sessions.get(mine)?.revokeReason).toBe('logout');
        expect(table.sessions.get(other)?.revokedAt).toBeUndefined();
        expect(events()).toEqual([
          expect.objectContaining({
            type: 'session.signed_out',
            sessionId: mine,
            detail: { allSessions: false },
          }),
        ]);
      });

      it("ends every live session of the user, as `logout_all`, and no one else's", async () => {
        // Prepare
        const mine = signIn('usr_a');
        const phone = signIn('usr_a');
        const dead = signIn('usr_a');
        await revokeSession(deps())('usr_a', dead, {});
        const theirs = signIn('usr_b');

        // Act
        await signOut(deps())({ userId: 'usr_a', sessionId: mine, allSessions: true }, {});

        // Assess
        expect(table.sessions.get(mine)?.revokeReason).toBe('logout_all');
        expect(table.sessions.get(phone)?.revokeReason).toBe('logout_all');
        expect(table.sessions.get(dead)?.revokeReason).toBe('revoked_by_user');
        expect(table.sessions.get(theirs)?.revokedAt).toBeUndefined();
        expect(
          events()
            .filter((e) => e.type === 'session.signed_out')
            .map((e) => e.sessionId),
        ).toEqual([mine, phone]);
      });

      it('is quiet when the session already ended (a second tap on "sign out")', async () => {
        // Prepare
        const mine = signIn('usr_a');
        await signOut(deps())({ userId: 'usr_a', sessionId: mine, allSessions: false }, {});

        // Act
        const again = signOut(deps())({ userId: 'usr_a', sessionId: mine, allSessions: false }, {});

        // Assess
        await expect(again).resolves.toBeUndefined();
        expect(events()).toHaveLength(1);
      });
    });
  });
});
