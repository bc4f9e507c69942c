import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../../functions/adapters/node-token-crypto';
import { refreshSession } from '../../../functions/domain/refresh-session';
import { newSession } from '../../../functions/domain/session-issuer';
import type { SessionPolicy } from '../../../functions/domain/session-policy';
import { FakeAccessTokenSigner, inMemoryStores, ManualClock } from '../../fakes';

const policy: SessionPolicy = { idleSeconds: 3 * 86400, absoluteSeconds: 10 * 86400, reuseGraceSeconds: 10 };

/** Which token a client (or a thief) presents, and after how long. */
const use = fc.record({
  gapSeconds: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 4 * 86400 })),
  token: fc.constantFrom('latest', 'previous', 'older', 'garbage', 'other-user'),
});

function prepare() {
  const clock = new ManualClock();
  const { table, sessions, users } = inMemoryStores();
  users.add({
    id: 'usr_a',
    displayName: 'A',
    emailConfirmed: false,
    notifications: { sms: true, email: true },
    createdAt: clock.now().toISOString(),
  });
  const deps = {
    clock,
    crypto: nodeTokenCrypto,
    sessions,
    users,
    signer: new FakeAccessTokenSigner(),
    sessionPolicy: policy,
  };
  const created = newSession(deps, 'usr_a', clock.now(), {});
  sessions.add(created.session);
  /** The types of the account events stored, oldest first. */
  const events = () => table.auditEvents.map(({ event }) => event.type);
  return {
    clock,
    table,
    events,
    refresh: refreshSession(deps),
    first: created.refreshToken,
    id: created.session.id,
  };
}

describe('Property: refresh-token rotation', () => {
  it('the newest token rotates; the previous one within the grace window answers the same head; any other earlier one kills the session for good', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(use, { maxLength: 25 }), async (uses) => {
        // Prepare
        const { clock, table, events, refresh, first, id } = prepare();
        const start = clock.now().getTime();
        const issued = [first];
        let rotatedAt: number | undefined;
        let idleEndsAt = start + policy.idleSeconds * 1000;
        let revoked = false;

        for (const u of uses) {
          // Act
          clock.advance(u.gapSeconds);
          const now = clock.now().getTime();
          const token =
            u.token === 'latest'
              ? issued.at(-1)
              : u.token === 'previous'
                ? issued.at(-2)
                : u.token === 'older'
                  ? issued.at(-3)
                  : u.token === 'other-user'
                    ? `usr_b.${(issued.at(-1) as string).split('.').slice(1).join('.')}`
                    : 'usr_a.ses_x.not-a-secret';
          if (token === undefined) continue;
          const outcome = await refresh(token, { ip: '203.0.113.9' }).then(
            (grant) => ({ ok: true as const, grant }),
            (error: { code?: string }) => ({ ok: false as const, code: error.code }),
          );

          // Assess, against a model of the rules.
          const live = !revoked && now < idleEndsAt && now < start + policy.absoluteSeconds * 1000;
          const withinGrace = rotatedAt !== undefined && now - rotatedAt < policy.reuseGraceSeconds * 1000;
          if (live && u.token === 'latest') {
            expect(outcome.ok).toBe(true);
            if (outcome.ok) {
              expect(issued).not.toContain(outcome.grant.refreshToken);
              issued.push(outcome.grant.refreshToken);
            }
            rotatedAt = now;
            idleEndsAt = now + policy.idleSeconds * 1000;
          } else if (live && u.token === 'previous' && withinGrace) {
            // A lost response: the same head again, nothing forked, nothing written.
            expect(outcome).toMatchObject({ ok: true, grant: { refreshToken: issued.at(-1) } });
          } else {
            expect(outcome).toEqual({ ok: false, code: 'INVALID_GRANT' });
            if (live && (u.token === 'previous' || u.token === 'older')) revoked = true;
          }
          const stored = table.sessions.get(id);
          expect(stored?.revokedAt !== undefined).toBe(revoked);
          if (revoked) expect(stored?.revokeReason).toBe('refresh_token_reuse');
        }
        // What was stored: no event for a rotation (the session records its last use), one reuse
        // detection at most.
        expect(events().filter((e) => e === 'session.refreshed')).toHaveLength(0);
        expect(events().filter((e) => e === 'session.reuse_detected')).toHaveLength(revoked ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });

  it('any number of parallel uses of one token rotate once and all answer the same head', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), async (parallel) => {
        // Prepare
        const { refresh, first, events, table, id } = prepare();

        // Act
        const results = await Promise.all(Array.from({ length: parallel }, () => refresh(first, {})));

        // Assess: one rotation (generation 1), one head for everyone, and the head works.
        expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
        expect(table.sessions.get(id)).toMatchObject({ generation: 1 });
        expect(table.sessions.get(id)?.revokedAt).toBeUndefined();
        await expect(refresh(results[0]!.refreshToken, {})).resolves.toBeDefined();
        expect(events()).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
