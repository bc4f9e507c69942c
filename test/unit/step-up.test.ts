import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/api/routes';
import { requireRecentAuthentication } from '../../functions/domain/step-up';
import { deployedRoutes } from '../../functions/manifest/function-manifest';
import { inMemoryStores } from '../fakes';
import { ManualClock } from '../support/manual-clock';

const START = '2026-01-15T09:00:00.000Z';
const epoch = (iso: string) => Date.parse(iso) / 1000;

function prepare(overrides: Record<string, string> = {}) {
  const clock = new ManualClock(START);
  const { sessions } = inMemoryStores();
  sessions.add({
    id: 'ses_1',
    userId: 'usr_1',
    refreshHash: 'h',
    createdAt: START,
    authTime: START,
    lastUsedAt: START,
    idleExpiresAt: '2026-02-14T09:00:00.000Z',
    absoluteExpiresAt: '2026-04-15T09:00:00.000Z',
    ...overrides,
  });
  const check = requireRecentAuthentication({ sessions, clock, policy: { maxAgeSeconds: 600 } });
  return { clock, check };
}

describe('Use case: requireRecentAuthentication', () => {
  it('lets a live session with an auth_time up to 600 s old through', async () => {
    const { clock, check } = prepare();
    clock.advance(600);
    await expect(
      check({ userId: 'usr_1', sessionId: 'ses_1', authTime: epoch(START) }),
    ).resolves.toBeUndefined();
  });

  it('asks for a new authentication past 600 s, or when the token has no auth_time', async () => {
    const { clock, check } = prepare();
    clock.advance(601);
    await expect(
      check({ userId: 'usr_1', sessionId: 'ses_1', authTime: epoch(START) }),
    ).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
      maxAgeSeconds: 600,
    });
    await expect(check({ userId: 'usr_1', sessionId: 'ses_1' })).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
    });
  });

  it.each([
    ['a revoked session', { revokedAt: START, revokeReason: 'logout_all' }, 'usr_1', 'ses_1'],
    ['an idle-expired session', { idleExpiresAt: START }, 'usr_1', 'ses_1'],
    ['a session of another user', {}, 'usr_2', 'ses_1'],
    ['an unknown session', {}, 'usr_1', 'ses_gone'],
  ])(
    'refuses %s with INVALID_TOKEN, however fresh the token',
    async (_name, overrides, userId, sessionId) => {
      const { check } = prepare(overrides);
      await expect(check({ userId, sessionId, authTime: epoch(START) })).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
    },
  );
});

describe('The sensitive routes', () => {
  const sensitive = routeList.filter((r) => r.sensitive !== undefined);

  it('are the identity, password and email changes of api.md', () => {
    expect(sensitive.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      expect.arrayContaining([
        'DELETE /v1/me/identities/{type}',
        'PATCH /v1/me',
        'POST /v1/me/identities/phone',
        'POST /v1/me/identities/social',
        'PUT /v1/me/password',
      ]),
    );
  });

  it.each(sensitive.map((r) => [r.id] as const))(
    '%s documents REAUTH_REQUIRED and may read its session',
    (id) => {
      const route = deployedRoutes.find((r) => r.id === id);
      expect(route?.errors).toContain('REAUTH_REQUIRED');
      expect(route?.capabilities.table?.actions).toContain('dynamodb:GetItem');
      expect(route?.capabilities.table?.partitionKeys).toContain('SESSION#');
    },
  );

  it('PATCH /v1/me is sensitive only when it changes the email', () => {
    const updateMe = routeList.find((r) => r.id === 'updateMe')?.sensitive;
    expect(updateMe).not.toBe(true);
    if (updateMe === undefined || updateMe === true) return;
    expect(updateMe.when({ displayName: 'x' })).toBe(false);
    expect(updateMe.when({ email: 'a@example.com' })).toBe(true);
    expect(updateMe.when({ email: null })).toBe(true);
  });
});
