import { beforeEach, describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import { linkPhone, setPassword, unlinkIdentity } from '../../functions/domain/manage-identities';
import type { IdentityRecord, UserRecord } from '../../functions/domain/model';
import { newSession, sessionStarter } from '../../functions/domain/session-issuer';
import { updateProfile } from '../../functions/domain/update-profile';
import {
  FakeOtpCrypto,
  FakePasswordHasher,
  InMemoryCommonPasswordList,
  InMemoryEmailSubscriptions,
  InMemoryMailBrake,
  inMemoryStores,
  ManualClock,
  SequentialTokenCrypto,
} from '../fakes';
import { lockoutPolicy, sessionPolicy, smsPolicy } from '../support/policies';

const client = { ip: '203.0.113.9' };
const PHONE = '+8613800138000';
const NEW_PHONE = '+8613900139000';

const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: 'usr_a',
  displayName: 'A',
  phone: PHONE,
  emailConfirmed: false,
  notifications: { sms: true, email: true },
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const phoneIdentity = (phone = PHONE, userId = 'usr_a'): IdentityRecord => ({
  type: 'phone',
  subject: phone,
  userId,
  label: '+86 138****8000',
  linkedAt: '2026-01-01T00:00:00.000Z',
});
const passwordIdentity: IdentityRecord = {
  type: 'password',
  subject: 'alice',
  userId: 'usr_a',
  label: 'al***',
  linkedAt: '2026-01-02T00:00:00.000Z',
  passwordHash: 'hashed:old password 1',
};

function prepare() {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const crypto = new SequentialTokenCrypto();
  const hasher = new FakePasswordHasher();
  const emails = new InMemoryEmailSubscriptions();
  const mailBrake = new InMemoryMailBrake();
  const otp = new FakeOtpCrypto();
  const base = { clock, crypto, users: stores.users };
  return {
    clock,
    stores,
    hasher,
    emails,
    events: () => stores.table.auditEvents.map(({ event }) => event),
    setPassword: setPassword({
      ...base,
      hasher,
      commonPasswords: new InMemoryCommonPasswordList(),
      accounts: stores.accounts,
      sessions: stores.sessions,
      lockoutPolicy,
    }),
    linkPhone: linkPhone({
      ...base,
      otp,
      codes: stores.smsCodes,
      phoneAccounts: stores.phoneAccounts,
      smsPolicy,
    }),
    unlinkIdentity: unlinkIdentity({ ...base, identities: stores.identities, sessions: stores.sessions }),
    updateProfile: updateProfile({ ...base, profiles: stores.profiles, emails, mailBrake }),
    /** A code `123456` for `phone`, as a send would have stored it. */
    codeSentTo(phone: string) {
      stores.table.smsCodes.set(phone, {
        codeId: `otp_${phone}`,
        codeHash: `otp:${phone}:123456`,
        attempts: 0,
        createdAt: clock.now().toISOString(),
        expiresAt: new Date(clock.now().getTime() + 600_000).toISOString(),
      });
    },
    /** A live session of the user, as a sign-in would have stored it. */
    session() {
      const { session } = newSession({ crypto, sessionPolicy }, 'usr_a', clock.now(), {});
      stores.sessions.add(session);
      return session.id;
    },
  };
}

describe('Use case: setPassword', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
  });

  describe('for a phone-first user (no password yet)', () => {
    beforeEach(() => {
      t.stores.users.add(user(), [phoneIdentity()]);
    });

    it('adds a username and password as a second way in', async () => {
      // Act
      await t.setPassword('usr_a', 'ses_1', { username: 'Alice', password: 'new password 1' }, client);

      // Assess
      expect(t.stores.table.identity('password', 'alice')).toMatchObject({
        userId: 'usr_a',
        label: 'al***',
        passwordHash: 'hashed:new password 1',
      });
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(2);
      expect(t.events()).toEqual([expect.objectContaining({ type: 'password.set', sessionId: 'ses_1' })]);
    });

    it('needs a username: VALIDATION_FAILED on `username`', async () => {
      // Act
      const attempt = t.setPassword('usr_a', 'ses_1', { password: 'new password 1' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path: 'username' })],
      });
    });

    it("answers USERNAME_TAKEN for someone else's username, and adds nothing", async () => {
      // Prepare
      t.stores.users.add(user({ id: 'usr_b', phone: NEW_PHONE }), [{ ...passwordIdentity, userId: 'usr_b' }]);

      // Act
      const attempt = t.setPassword(
        'usr_a',
        'ses_1',
        { username: 'alice', password: 'new password 1' },
        client,
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(1);
      expect(t.events()).toEqual([]);
    });

    it('adds one username for racing requests: the others are IDENTITY_TYPE_TAKEN', async () => {
      // Act
      const results = await Promise.allSettled(
        ['alice', 'alicia', 'ally'].map((username) =>
          t.setPassword('usr_a', 'ses_1', { username, password: 'new password 1' }, client),
        ),
      );

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code),
      ).toEqual(['IDENTITY_TYPE_TAKEN', 'IDENTITY_TYPE_TAKEN']);
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(2);
      expect(t.events()).toHaveLength(1);
    });

    it('refuses a common password with PASSWORD_TOO_COMMON', async () => {
      // Act
      const attempt = t.setPassword('usr_a', 'ses_1', { username: 'alice', password: 'qwertyuiop' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'PASSWORD_TOO_COMMON' });
    });
  });

  describe('for a user with a password (a change)', () => {
    beforeEach(() => {
      t.stores.users.add(user(), [phoneIdentity(), passwordIdentity]);
    });

    it('changes the hash and signs out every other live session, keeping the caller’s', async () => {
      // Prepare
      const mine = t.session();
      const other = t.session();

      // Act
      await t.setPassword(
        'usr_a',
        mine,
        { password: 'new password 1', currentPassword: 'old password 1' },
        client,
      );

      // Assess
      expect(t.stores.table.identity('password', 'alice')?.passwordHash).toBe('hashed:new password 1');
      expect(t.stores.table.sessions.get(mine)?.revokedAt).toBeUndefined();
      expect(t.stores.table.sessions.get(other)?.revokeReason).toBe('revoked_by_user');
      expect(t.events().map((e) => [e.type, e.detail])).toEqual([
        ['password.changed', undefined],
        ['session.revoked', { reason: 'password_changed' }],
      ]);
    });

    it('needs the current password: VALIDATION_FAILED on `currentPassword`', async () => {
      // Act
      const attempt = t.setPassword('usr_a', 'ses_1', { password: 'new password 1' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path: 'currentPassword' })],
      });
    });

    it('counts a wrong current password against the lockout, and locks like a sign-in', async () => {
      // Act
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        codes.push(
          await t
            .setPassword(
              'usr_a',
              'ses_1',
              { password: 'new password 1', currentPassword: `wrong ${i}` },
              client,
            )
            .then(
              () => 'ok',
              (e) => e.code,
            ),
        );
      }

      // Assess
      expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
      expect(t.stores.table.loginFailures.get('alice')?.failures).toBe(5);
      expect(t.stores.table.identity('password', 'alice')?.passwordHash).toBe('hashed:old password 1');
    });

    it('refuses to change the username with VALIDATION_FAILED', async () => {
      // Act
      const attempt = t.setPassword(
        'usr_a',
        'ses_1',
        { username: 'bob', password: 'new password 1', currentPassword: 'old password 1' },
        client,
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path: 'username' })],
      });
    });
  });

  describe('for a user that no longer exists', () => {
    it('answers NOT_FOUND', async () => {
      // Act
      const attempt = t.setPassword(
        'usr_gone',
        'ses_1',
        { username: 'x1x', password: 'new password 1' },
        client,
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: linkPhone', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
  });

  describe('linking a phone', () => {
    it('links a phone proven by its code to a password-only user, and consumes the code', async () => {
      // Prepare
      t.stores.users.add(user({ phone: undefined }), [passwordIdentity]);
      t.codeSentTo(NEW_PHONE);

      // Act
      const view = await t.linkPhone('usr_a', { phone: '+86 139 0013 9000', code: '123456' }, client);

      // Assess
      expect(view.phone).toBe(NEW_PHONE);
      expect(view.identities.map((i) => i.type)).toEqual(['password', 'phone']);
      expect(t.stores.table.identity('phone', NEW_PHONE)?.userId).toBe('usr_a');
      expect(t.stores.table.users.get('usr_a')?.identityCount).toBe(2);
      expect(t.stores.table.smsCodes.has(NEW_PHONE)).toBe(false);
      expect(t.events()).toEqual([
        expect.objectContaining({ type: 'identity.linked', detail: { type: 'phone' } }),
      ]);
    });

    it('links one phone for racing requests with two phones: the other is IDENTITY_TYPE_TAKEN', async () => {
      // Prepare
      t.stores.users.add(user({ phone: undefined }), [passwordIdentity]);
      t.codeSentTo(NEW_PHONE);
      t.codeSentTo(PHONE);

      // Act
      const results = await Promise.allSettled(
        [NEW_PHONE, PHONE].map((phone) => t.linkPhone('usr_a', { phone, code: '123456' }, client)),
      );

      // Assess
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'IDENTITY_TYPE_TAKEN' });
      expect(t.stores.table.identity('phone', PHONE)).toBeUndefined();
      expect(t.stores.table.users.get('usr_a')).toMatchObject({ phone: NEW_PHONE, identityCount: 2 });
    });

    it('replaces the previous phone, keeping the number of ways in', async () => {
      // Prepare
      t.stores.users.add(user(), [phoneIdentity(), passwordIdentity]);
      t.codeSentTo(NEW_PHONE);

      // Act
      await t.linkPhone('usr_a', { phone: NEW_PHONE, code: '123456' }, client);

      // Assess
      expect(t.stores.table.identity('phone', PHONE)).toBeUndefined();
      expect(t.stores.table.identity('phone', NEW_PHONE)?.userId).toBe('usr_a');
      expect(t.stores.table.users.get('usr_a')).toMatchObject({ phone: NEW_PHONE, identityCount: 2 });
    });

    it("answers IDENTITY_IN_USE for another account's phone, and leaves both accounts as they were", async () => {
      // Prepare
      t.stores.users.add(user({ phone: undefined }), [passwordIdentity]);
      t.stores.users.add(user({ id: 'usr_b', phone: NEW_PHONE }), [phoneIdentity(NEW_PHONE, 'usr_b')]);
      t.codeSentTo(NEW_PHONE);

      // Act
      const attempt = t.linkPhone('usr_a', { phone: NEW_PHONE, code: '123456' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'IDENTITY_IN_USE' });
      expect(t.stores.table.identity('phone', NEW_PHONE)?.userId).toBe('usr_b');
      expect(t.events()).toEqual([]);
    });

    it('answers INVALID_CODE for a wrong code, and links nothing', async () => {
      // Prepare
      t.stores.users.add(user({ phone: undefined }), [passwordIdentity]);
      t.codeSentTo(NEW_PHONE);

      // Act
      const attempt = t.linkPhone('usr_a', { phone: NEW_PHONE, code: '654321' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CODE' });
      expect(t.stores.table.identity('phone', NEW_PHONE)).toBeUndefined();
      expect(t.stores.table.smsCodes.get(NEW_PHONE)?.attempts).toBe(1);
    });

    it('changes nothing when the phone is already the user’s own', async () => {
      // Prepare
      t.stores.users.add(user(), [phoneIdentity()]);
      t.codeSentTo(PHONE);

      // Act
      const view = await t.linkPhone('usr_a', { phone: PHONE, code: '123456' }, client);

      // Assess
      expect(view.identities).toHaveLength(1);
      expect(t.events()).toEqual([]);
    });
  });
});

describe('Use case: unlinkIdentity', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
  });

  describe('unlinking', () => {
    it('revokes the other live sessions that identity started, and only those', async () => {
      // Prepare: sessions started by the phone (one of them the caller's) and by the password.
      t.stores.users.add(user(), [phoneIdentity(), passwordIdentity]);
      const at = t.clock.now().toISOString();
      const later = new Date(t.clock.now().getTime() + 86400_000).toISOString();
      const session = (id: string, startedBy: ReturnType<typeof sessionStarter>) =>
        t.stores.sessions.add({
          id,
          userId: 'usr_a',
          refreshHash: `h-${id}`,
          createdAt: at,
          lastUsedAt: at,
          idleExpiresAt: later,
          absoluteExpiresAt: later,
          startedBy,
        });
      session('ses_current', sessionStarter(nodeTokenCrypto, 'phone', PHONE));
      session('ses_by_phone', sessionStarter(nodeTokenCrypto, 'phone', PHONE));
      session('ses_by_password', sessionStarter(nodeTokenCrypto, 'password', passwordIdentity.subject));

      // Act
      await t.unlinkIdentity('usr_a', 'ses_current', 'phone', client);

      // Assess
      const stored = t.stores.table.sessions;
      expect(stored.get('ses_by_phone')?.revokeReason).toBe('identity_unlinked');
      expect(stored.get('ses_current')?.revokedAt).toBeUndefined();
      expect(stored.get('ses_by_password')?.revokedAt).toBeUndefined();
      expect(t.events().map((e) => e.type)).toEqual(['identity.unlinked', 'session.revoked']);
    });

    it('removes a way in when another remains', async () => {
      // Prepare
      t.stores.users.add(user(), [phoneIdentity(), passwordIdentity]);

      // Act
      await t.unlinkIdentity('usr_a', 'ses_current', 'phone', client);

      // Assess
      expect(t.stores.table.identity('phone', PHONE)).toBeUndefined();
      expect(t.stores.table.users.get('usr_a')).toMatchObject({ identityCount: 1 });
      expect(t.stores.table.users.get('usr_a')?.phone).toBeUndefined();
      expect(t.events()).toEqual([
        expect.objectContaining({ type: 'identity.unlinked', detail: { type: 'phone' } }),
      ]);
    });

    it('refuses to remove the last way in with LAST_IDENTITY', async () => {
      // Prepare
      t.stores.users.add(user(), [phoneIdentity()]);

      // Act
      const attempt = t.unlinkIdentity('usr_a', 'ses_current', 'phone', client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'LAST_IDENTITY' });
      expect(t.stores.table.identity('phone', PHONE)?.userId).toBe('usr_a');
      expect(t.events()).toEqual([]);
    });

    it('answers NOT_FOUND for a kind of sign-in the account does not have', async () => {
      // Prepare
      t.stores.users.add(user(), [phoneIdentity(), passwordIdentity]);

      // Act
      const attempt = t.unlinkIdentity('usr_a', 'ses_current', 'wechat', client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: updateProfile', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
    t.stores.users.add(user({ notifications: { sms: true, email: true } }), [phoneIdentity()]);
  });

  describe('profile changes', () => {
    it('renames the user and records which fields changed', async () => {
      // Act
      const view = await t.updateProfile('usr_a', { displayName: 'Alice A' }, client);

      // Assess
      expect(view.displayName).toBe('Alice A');
      expect(t.stores.table.users.get('usr_a')?.displayName).toBe('Alice A');
      expect(t.events()).toEqual([
        expect.objectContaining({ type: 'profile.updated', detail: { fields: 'displayName' } }),
      ]);
    });

    it('subscribes a new email to this user’s alerts, unconfirmed', async () => {
      // Act
      await t.updateProfile('usr_a', { email: 'a@example.com' }, client);

      // Assess
      const stored = t.stores.table.users.get('usr_a');
      expect(stored).toMatchObject({ email: 'a@example.com', emailConfirmed: false });
      expect(t.emails.subscriptions.get(stored?.emailSubscription as string)).toEqual({
        email: 'a@example.com',
        userId: 'usr_a',
      });
    });

    it('moves the subscription when the email changes, and keeps it when nothing about it changes', async () => {
      // Prepare
      await t.updateProfile('usr_a', { email: 'a@example.com' }, client);
      const first = t.stores.table.users.get('usr_a')?.emailSubscription;

      // Act
      await t.updateProfile('usr_a', { email: 'a@example.com', displayName: 'A2' }, client);
      const kept = t.stores.table.users.get('usr_a')?.emailSubscription;
      await t.updateProfile('usr_a', { email: 'b@example.com' }, client);

      // Assess
      expect(kept).toBe(first);
      expect([...t.emails.subscriptions.values()]).toEqual([{ email: 'b@example.com', userId: 'usr_a' }]);
    });

    it('unsubscribes when email alerts are turned off or the email is removed', async () => {
      // Prepare
      await t.updateProfile('usr_a', { email: 'a@example.com' }, client);

      // Act
      await t.updateProfile('usr_a', { notifications: { email: false } }, client);

      // Assess
      expect(t.emails.subscriptions.size).toBe(0);
      expect(t.stores.table.users.get('usr_a')).toMatchObject({ notifications: { sms: true, email: false } });
      expect(t.stores.table.users.get('usr_a')?.emailSubscription).toBeUndefined();
    });

    it('changes nothing and records nothing for an empty change', async () => {
      // Act
      const view = await t.updateProfile('usr_a', {}, client);

      // Assess
      expect(view.id).toBe('usr_a');
      expect(t.events()).toEqual([]);
    });

    it('answers NOT_FOUND for a user that no longer exists', async () => {
      // Act
      const attempt = t.updateProfile('usr_gone', { displayName: 'X' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
