import { beforeEach, describe, expect, it } from 'vitest';
import type { IdentityRecord } from '../../functions/domain/model';
import { s256 } from '../../functions/domain/pkce';
import {
  exchangeAuthorizationCode,
  linkSocialIdentity,
  startSocialSignIn,
} from '../../functions/domain/social-sign-in';
import {
  FakeAccessTokenSigner,
  FakeIdentityProviders,
  inMemoryStores,
  ManualClock,
  SequentialTokenCrypto,
} from '../fakes';
import { sessionPolicy } from '../support/policies';

const client = { ip: '203.0.113.9' };
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = s256(VERIFIER);
const wechat = { provider: 'wechat' as const, code: 'wx-code-1' };

function prepare() {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const crypto = new SequentialTokenCrypto();
  const providers = new FakeIdentityProviders();
  const signer = new FakeAccessTokenSigner();
  providers.accept('wx-code-1', {
    provider: 'wechat',
    subject: 'union-1',
    nickname: '  陈静  ',
    avatarUrl: 'https://thirdwx.qlogo.cn/a.png',
  });
  providers.accept('google-id-token', { provider: 'google', subject: 'g-1', email: 'alice@example.com' });
  const start = startSocialSignIn({
    clock,
    crypto,
    providers,
    identities: stores.socialIdentities,
    codes: stores.authorizationCodes,
  });
  const exchange = exchangeAuthorizationCode({
    clock,
    crypto,
    codes: stores.authorizationCodes,
    sessions: stores.sessions,
    users: stores.users,
    signer,
    sessionPolicy,
  });
  const link = linkSocialIdentity({
    clock,
    crypto,
    providers,
    identities: stores.socialIdentities,
    users: stores.users,
  });
  return {
    clock,
    stores,
    providers,
    start,
    exchange,
    link,
    events: () => stores.table.auditEvents.map((e) => e.event),
  };
}

describe('Use case: startSocialSignIn', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
  });

  describe('a provider credential', () => {
    it('creates the user from the provider profile and answers a one-time code bound to the challenge', async () => {
      // Act
      const answer = await t.start({ credential: wechat, codeChallenge: CHALLENGE }, client);

      // Assess
      expect(answer).toMatchObject({ expiresIn: 60, isNewUser: true });
      const identity = t.stores.table.identity('wechat', 'union-1') as IdentityRecord;
      expect(identity.label).toBe('陈***');
      expect(t.stores.table.users.get(identity.userId)).toMatchObject({
        displayName: '陈静',
        avatarUrl: 'https://thirdwx.qlogo.cn/a.png',
        identityCount: 1,
      });
      const [stored] = [...t.stores.table.authorizationCodes.values()];
      expect(stored).toEqual({
        codeHash: expect.any(String),
        userId: identity.userId,
        codeChallenge: CHALLENGE,
        createdAt: t.clock.now().toISOString(),
        validUntil: new Date(t.clock.now().getTime() + 60_000).toISOString(),
        isNewUser: true,
        startedBy: { type: 'wechat', subjectHash: expect.any(String) },
      });
      expect(JSON.stringify(stored)).not.toContain(answer.code);
      expect(t.events()).toEqual([
        expect.objectContaining({ type: 'account.registered', detail: { method: 'wechat' } }),
      ]);
    });

    it('finds the same user the next time, with no new account', async () => {
      // Prepare
      await t.start({ credential: wechat, codeChallenge: CHALLENGE }, client);

      // Act
      const again = await t.start({ credential: wechat, codeChallenge: CHALLENGE }, client);

      // Assess
      expect(again.isNewUser).toBe(false);
      expect(t.stores.table.users.size).toBe(1);
    });

    it('names a user without a nickname after the provider', async () => {
      // Act
      await t.start(
        {
          credential: { provider: 'google', idToken: 'google-id-token', nonce: 'n' },
          codeChallenge: CHALLENGE,
        },
        client,
      );

      // Assess
      expect([...t.stores.table.users.values()][0]?.displayName).toBe('Google user');
    });

    it('passes on PROVIDER_REJECTED and PROVIDER_UNAVAILABLE, creating nothing', async () => {
      // Act
      const rejected = t.start(
        { credential: { provider: 'qq', accessToken: 'forged' }, codeChallenge: CHALLENGE },
        client,
      );
      t.providers.down = true;
      const down = t.start({ credential: wechat, codeChallenge: CHALLENGE }, client);

      // Assess
      await expect(rejected).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });
      await expect(down).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 5 });
      expect(t.stores.table.users.size).toBe(0);
      expect(t.stores.table.authorizationCodes.size).toBe(0);
    });
  });
});

describe('Use case: exchangeAuthorizationCode', () => {
  let t: ReturnType<typeof prepare>;
  let code: string;
  let userId: string;
  beforeEach(async () => {
    t = prepare();
    code = (await t.start({ credential: wechat, codeChallenge: CHALLENGE }, client)).code;
    userId = t.stores.table.identity('wechat', 'union-1')?.userId as string;
  });

  describe('the one-time code', () => {
    it('redeems the code with the right verifier for a session and tokens', async () => {
      // Act
      const grant = await t.exchange(code, VERIFIER, client);

      // Assess
      const [session] = [...t.stores.table.sessions.values()];
      expect(session).toMatchObject({ userId, ip: client.ip });
      expect(grant).toMatchObject({ accessToken: `access:${userId}:${session?.id}`, user: { id: userId } });
      expect([...t.stores.table.authorizationCodes.values()][0]).toMatchObject({
        usedAt: t.clock.now().toISOString(),
        sessionId: session?.id,
      });
      expect(t.events().at(-1)).toMatchObject({
        type: 'login.succeeded',
        detail: { method: 'authorization_code' },
      });
    });

    it('answers INVALID_GRANT for a wrong verifier, an unknown code, and a code older than 60 s', async () => {
      // Act
      const wrongVerifier = t.exchange(code, `${VERIFIER.slice(0, -1)}x`, client);
      const unknown = t.exchange('not-a-code', VERIFIER, client);
      t.clock.advance(60);
      const expired = t.exchange(code, VERIFIER, client);

      // Assess
      await expect(wrongVerifier).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      await expect(unknown).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      await expect(expired).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      expect(t.stores.table.sessions.size).toBe(0);
    });

    it('refuses a replayed code and revokes the session the first redemption made', async () => {
      // Prepare
      await t.exchange(code, VERIFIER, client);
      const [first] = [...t.stores.table.sessions.values()];

      // Act
      const replay = t.exchange(code, VERIFIER, client);

      // Assess
      await expect(replay).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      expect(t.stores.table.sessions.get(first?.id as string)).toMatchObject({
        revokeReason: 'authorization_code_reuse',
      });
      expect(t.stores.table.sessions.size).toBe(1);
      expect(t.events().at(-1)).toMatchObject({ type: 'oauth.code_reused', sessionId: first?.id });
    });

    it('of parallel redemptions of one code, exactly one gets tokens', async () => {
      // Act
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => t.exchange(code, VERIFIER, client)));

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(t.stores.table.sessions.size).toBe(1);
    });
  });
});

describe('Use case: linkSocialIdentity', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
    t.stores.users.add(
      {
        id: 'usr_a',
        displayName: 'A',
        phone: '+8613800138000',
        emailConfirmed: false,
        notifications: { sms: true, email: true },
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      [
        {
          type: 'phone',
          subject: '+8613800138000',
          userId: 'usr_a',
          label: '+86 138****8000',
          linkedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    );
  });

  describe('linking a provider', () => {
    it('links the provider identity to the signed-in user', async () => {
      // Act
      const view = await t.link('usr_a', wechat, client);

      // Assess
      expect(view.identities.map((i) => i.type)).toEqual(['phone', 'wechat']);
      expect(t.stores.table.identity('wechat', 'union-1')?.userId).toBe('usr_a');
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(2);
      expect(t.events()).toEqual([
        expect.objectContaining({ type: 'identity.linked', detail: { type: 'wechat' } }),
      ]);
    });

    it('replaces the user’s previous identity of that provider', async () => {
      // Prepare
      await t.link('usr_a', wechat, client);
      t.providers.accept('wx-code-2', { provider: 'wechat', subject: 'union-2', nickname: 'second' });

      // Act
      await t.link('usr_a', { provider: 'wechat', code: 'wx-code-2' }, client);

      // Assess
      expect(t.stores.table.identity('wechat', 'union-1')).toBeUndefined();
      expect(t.stores.table.identity('wechat', 'union-2')?.userId).toBe('usr_a');
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(2);
    });

    it('answers IDENTITY_IN_USE for an identity of another account, and links nothing', async () => {
      // Prepare: someone else signed up with this WeChat account.
      await t.start({ credential: wechat, codeChallenge: CHALLENGE }, client);

      // Act
      const attempt = t.link('usr_a', wechat, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'IDENTITY_IN_USE' });
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(1);
    });

    it('changes nothing when the identity is already the user’s', async () => {
      // Prepare
      await t.link('usr_a', wechat, client);

      // Act
      const view = await t.link('usr_a', wechat, client);

      // Assess
      expect(view.identities).toHaveLength(2);
      expect(t.events()).toHaveLength(1);
    });
  });
});
