import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SmsPolicy } from '../../functions/domain/sms-code-policy';
import { sendSmsCode, verifySmsCode } from '../../functions/domain/sms-sign-in';
import {
  FakeAccessTokenSigner,
  FakeOtpCrypto,
  inMemoryStores,
  ManualClock,
  RecordingSmsSender,
  SequentialTokenCrypto,
} from '../fakes';
import { sessionPolicy, smsPolicy } from '../support/policies';

const PHONE = '+8613800138000';
const client = { ip: '203.0.113.9' };

function prepare(policy: SmsPolicy = smsPolicy) {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const sms = new RecordingSmsSender();
  const otp = new FakeOtpCrypto();
  const crypto = new SequentialTokenCrypto();
  const signer = new FakeAccessTokenSigner();
  const send = sendSmsCode({ clock, crypto, otp, codes: stores.smsCodes, sms, smsPolicy: policy });
  const verify = verifySmsCode({
    clock,
    crypto,
    otp,
    codes: stores.smsCodes,
    phoneAccounts: stores.phoneAccounts,
    users: stores.users,
    signer,
    smsPolicy: policy,
    sessionPolicy,
  });
  return { clock, stores, sms, otp, send, verify };
}

describe('Use case: sendSmsCode', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(() => {
    t = prepare();
  });

  describe('sending and its limits', () => {
    it('texts a code to the phone in E.164 and stores only its hash, with its expiry', async () => {
      // Act
      const answer = await t.send('+86 138 0013 8000', client);

      // Assess
      expect(answer).toEqual({ expiresIn: 600, resendAfter: 60 });
      expect(t.sms.sent).toEqual([
        {
          phone: PHONE,
          message: 'Your LinkGuard code is 000001. It expires in 10 minutes. Never share it with anyone.',
        },
      ]);
      expect(t.stores.table.smsCodes.get(PHONE)).toEqual({
        codeId: expect.stringMatching(/^otp_/),
        codeHash: `otp:${PHONE}:000001`,
        attempts: 0,
        createdAt: t.clock.now().toISOString(),
        expiresAt: new Date(t.clock.now().getTime() + 600_000).toISOString(),
      });
      expect(t.stores.table.phoneSends.get(PHONE)?.sends).toEqual([t.clock.now().toISOString()]);
    });

    it('answers SMS_RATE_LIMITED with Retry-After within 60 s of the last code, and sends nothing', async () => {
      // Prepare
      await t.send(PHONE, client);
      t.clock.advance(20);

      // Act
      const again = t.send(PHONE, client);

      // Assess
      await expect(again).rejects.toMatchObject({ code: 'SMS_RATE_LIMITED', retryAfterSeconds: 40 });
      expect(t.sms.sent).toHaveLength(1);
    });

    it('stops at the per-IP hourly limit, across phones', async () => {
      // Prepare
      const t2 = prepare({ ...smsPolicy, perIpPerHour: 2 });
      await t2.send('+8613800138001', client);
      await t2.send('+8613800138002', client);

      // Act
      const third = t2.send('+8613800138003', client);

      // Assess: the clock hour (09:00–10:00) ends in 3600 s.
      await expect(third).rejects.toMatchObject({ code: 'SMS_RATE_LIMITED', retryAfterSeconds: 3600 });
      expect(t2.sms.sent).toHaveLength(2);
      expect(t2.stores.table.smsCodes.has('+8613800138003')).toBe(false);
    });

    it('of parallel requests for one phone, texts exactly one code', async () => {
      // Act
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => t.send(PHONE, client)));

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SMS_RATE_LIMITED' });
      }
      expect(t.sms.sent).toHaveLength(1);
      expect(t.stores.table.phoneSends.get(PHONE)?.sends).toHaveLength(1);
    });

    it('undoes the reservation when the provider fails: no usable code, no counted send', async () => {
      // Prepare
      t.sms.failing = true;

      // Act
      const attempt = t.send(PHONE, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'SMS_UNAVAILABLE' });
      expect(t.stores.table.smsCodes.has(PHONE)).toBe(false);
      expect(t.stores.table.phoneSends.get(PHONE)?.sends ?? []).toEqual([]);
      expect([...t.stores.table.ipSends.values()].reduce((a, b) => a + b, 0)).toBe(0);
      t.sms.failing = false;
      await expect(t.send(PHONE, client)).resolves.toBeDefined();
    });

    it.each([
      ['a landline', '+86 10 6552 9988', 'INVALID_PHONE'],
      ['a number without a country code', '13800138000', 'INVALID_PHONE'],
      ['a country outside the allow-list', '+33 6 12 34 56 78', 'COUNTRY_NOT_ALLOWED'],
    ])('refuses %s with %s', async (_, phone, code) => {
      // Act
      const attempt = t.send(phone, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code });
      expect(t.sms.sent).toEqual([]);
    });
  });
});

describe('Use case: verifySmsCode', () => {
  let t: ReturnType<typeof prepare>;
  beforeEach(async () => {
    t = prepare();
    await t.send(PHONE, client);
  });

  describe('checking the code', () => {
    it('creates the user and the phone identity on the first right code, and consumes the code', async () => {
      // Act
      const grant = await t.verify('+86 138 0013 8000', '000001', client);

      // Assess
      expect(grant.isNewUser).toBe(true);
      const userId = grant.user.id;
      expect(t.stores.table.users.get(userId)).toMatchObject({
        phone: PHONE,
        displayName: '+86 138****8000',
        identityCount: 1,
      });
      expect(t.stores.table.identity('phone', PHONE)?.userId).toBe(userId);
      expect(t.stores.table.smsCodes.has(PHONE)).toBe(false);
      const [session] = [...t.stores.table.sessions.values()];
      expect(grant.accessToken).toBe(`access:${userId}:${session?.id}`);
      expect(t.stores.table.auditEvents.map(({ event }) => event)).toEqual([
        expect.objectContaining({ userId, type: 'account.registered', detail: { method: 'sms' } }),
      ]);
    });

    it('signs the same user in on a later code', async () => {
      // Prepare
      const first = await t.verify(PHONE, '000001', client);
      t.clock.advance(120);
      await t.send(PHONE, client);

      // Act
      const second = await t.verify(PHONE, '000002', client);

      // Assess
      expect(second).toMatchObject({ isNewUser: false, user: { id: first.user.id } });
      expect(t.stores.table.users.size).toBe(1);
      expect(t.stores.table.sessions.size).toBe(2);
      expect(t.stores.table.auditEvents.at(-1)?.event.type).toBe('login.succeeded');
    });

    it('of parallel verifies of the right code, exactly one gets a session', async () => {
      // Act
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => t.verify(PHONE, '000001', client)),
      );

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'INVALID_CODE' });
      }
      expect(t.stores.table.users.size).toBe(1);
      expect(t.stores.table.sessions.size).toBe(1);
    });

    it('answers INVALID_CODE for a wrong code and counts it; the fifth is TOO_MANY_ATTEMPTS and kills the code', async () => {
      // Act
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) codes.push(await t.verify(PHONE, '999999', client).catch((e) => e.code));
      const rightAfter = t.verify(PHONE, '000001', client);

      // Assess
      expect(codes).toEqual([
        'INVALID_CODE',
        'INVALID_CODE',
        'INVALID_CODE',
        'INVALID_CODE',
        'TOO_MANY_ATTEMPTS',
      ]);
      await expect(rightAfter).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 60 });
      expect(t.stores.table.users.size).toBe(0);
    });

    it('answers INVALID_CODE for an expired code, a used code, and a code sent to another phone', async () => {
      // Prepare
      await t.verify(PHONE, '000001', client);

      // Act
      const used = t.verify(PHONE, '000001', client);
      const otherPhone = t.verify('+8613800138001', '000001', client);
      t.clock.advance(120);
      await t.send(PHONE, client);
      t.clock.advance(600);
      const expired = t.verify(PHONE, '000002', client);

      // Assess
      await expect(used).rejects.toMatchObject({ code: 'INVALID_CODE' });
      await expect(otherPhone).rejects.toMatchObject({ code: 'INVALID_CODE' });
      await expect(expired).rejects.toMatchObject({ code: 'INVALID_CODE' });
      expect(t.stores.table.sessions.size).toBe(1);
    });

    it('signs in as the existing user when someone linked the phone between the check and the write', async () => {
      // Prepare: the phone is linked to Bob after the code was sent, as a racing link would.
      t.stores.users.add(
        {
          id: 'usr_bob',
          displayName: 'Bob',
          phone: PHONE,
          emailConfirmed: false,
          notifications: { sms: true, email: true },
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        [],
      );
      const realLoad = t.stores.smsCodes.loadCodeAndIdentity.bind(t.stores.smsCodes);
      let reads = 0;
      t.stores.smsCodes.loadCodeAndIdentity = async (phone) => {
        const read = await realLoad(phone);
        reads++;
        if (reads === 1) {
          t.stores.table.putIdentity({
            type: 'phone',
            subject: PHONE,
            userId: 'usr_bob',
            label: '+86 138****8000',
            linkedAt: '2026-01-01T00:00:00.000Z',
          });
          return { ...read, identity: undefined };
        }
        return read;
      };

      // Act
      const grant = await t.verify(PHONE, '000001', client);

      // Assess
      expect(grant).toMatchObject({ isNewUser: false, user: { id: 'usr_bob' } });
      expect(t.stores.table.users.size).toBe(1);
    });
  });
});

/** One request for a code: to which phone, from which IP, after how long; does the provider work? */
const request = fc.record({
  gapSeconds: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.noBias(fc.integer({ min: 0, max: 4000 }))),
  phone: fc.constantFrom('+8613800138001', '+8613800138002', '+8613800138003'),
  ip: fc.constantFrom('203.0.113.1', '203.0.113.2'),
  providerUp: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false)),
});

describe('Property: SMS limits, through the use case', () => {
  it('never texts beyond the per-phone, per-IP and daily limits, and a failed send counts for nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          resendAfterSeconds: fc.integer({ min: 1, max: 120 }),
          perPhonePerHour: fc.integer({ min: 1, max: 5 }),
          perIpPerHour: fc.integer({ min: 1, max: 6 }),
          dailyCap: fc.integer({ min: 1, max: 12 }),
        }),
        fc.array(request, { maxLength: 40 }),
        async (limits, requests) => {
          // Prepare
          const t = prepare({ ...smsPolicy, ...limits });
          const delivered: { phone: string; ip: string; at: number }[] = [];
          /** The code that should work now, per phone: the last texted, unless a failed resend replaced it. */
          const working = new Map<string, string | undefined>();

          for (const r of requests) {
            // Act
            t.clock.advance(r.gapSeconds);
            t.sms.failing = !r.providerUp;
            const before = t.sms.sent.length;
            const outcome = await t.send(r.phone, { ip: r.ip }).then(
              () => 'sent',
              (error: { code?: string; retryAfterSeconds?: number }) => {
                if (error.code === 'SMS_RATE_LIMITED')
                  expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
                return error.code;
              },
            );

            // Assess
            const now = t.clock.now().getTime();
            expect(['sent', 'SMS_RATE_LIMITED', 'SMS_UNAVAILABLE']).toContain(outcome);
            expect(t.sms.sent.length - before).toBe(outcome === 'sent' ? 1 : 0);
            if (outcome === 'sent') {
              delivered.push({ phone: r.phone, ip: r.ip, at: now });
              working.set(r.phone, t.sms.lastCodeTo(r.phone));
            }
            // A failed send leaves no usable code (it had replaced the previous one).
            if (outcome === 'SMS_UNAVAILABLE') working.set(r.phone, undefined);

            const ofPhone = delivered.filter((d) => d.phone === r.phone);
            const [last, previous] = [ofPhone.at(-1), ofPhone.at(-2)];
            if (outcome === 'sent' && previous !== undefined) {
              expect((last?.at ?? 0) - previous.at).toBeGreaterThanOrEqual(limits.resendAfterSeconds * 1000);
            }
            expect(ofPhone.filter((d) => d.at > now - 3600_000).length).toBeLessThanOrEqual(
              limits.perPhonePerHour,
            );
            const hour = Math.floor(now / 3600_000);
            expect(
              delivered.filter((d) => d.ip === r.ip && Math.floor(d.at / 3600_000) === hour).length,
            ).toBeLessThanOrEqual(limits.perIpPerHour);
            const day = Math.floor(now / 86400_000);
            expect(delivered.filter((d) => Math.floor(d.at / 86400_000) === day).length).toBeLessThanOrEqual(
              limits.dailyCap,
            );
          }
          // Only the newest code texted to a phone works, and none after a failed resend.
          for (const [phone, code] of working) {
            expect(t.stores.table.smsCodes.get(phone)?.codeHash).toBe(
              code === undefined ? undefined : `otp:${phone}:${code}`,
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
