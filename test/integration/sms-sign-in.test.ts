import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode, smsCount } from '../support/outbox';
import { recordTableCalls } from '../support/table-calls';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-04-01T08:00:00.000Z');

/** DynamoDB calls the SMS verify function made since the last call. */
let takeVerifyCalls: () => string[];

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
  takeVerifyCalls = recordTableCalls('sms-verify');
});
afterAll(async () => {
  await api.close();
});

const send = (phone: string) => api.call('POST', '/v1/auth/sms/send', { json: { phone } });
const verify = (phone: string, code: string) =>
  api.call('POST', '/v1/auth/sms/verify', { json: { phone, code } });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('Sending codes', () => {
  it('sends exactly one SMS for 10 parallel sends to one phone', async () => {
    const phone = freshPhone();
    const results = await Promise.all(Array.from({ length: 10 }, () => send(phone)));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 202)) {
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('SMS_RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(smsCount(phone)).toBe(1);
  });

  it('allows one send per 60 s and five per rolling hour, by the clock', async () => {
    const phone = freshPhone();
    expect((await send(phone)).body).toEqual({ expiresIn: 600, resendAfter: 60 });
    const early = await send(phone);
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('60');
    for (let i = 0; i < 4; i++) {
      clock.advance(61);
      expect((await send(phone)).status).toBe(202);
    }
    clock.advance(61);
    const sixth = await send(phone);
    expect(sixth.status).toBe(429);
    // The first send leaves the rolling hour 3600 - 5*61 seconds from now.
    expect(Number(sixth.headers.get('retry-after'))).toBe(3600 - 5 * 61);
    clock.advance(3600 - 5 * 61);
    expect((await send(phone)).status).toBe(202);
    expect(smsCount(phone)).toBe(6);
  });

  it('answers the same for a phone with and without an account', async () => {
    const known = freshPhone();
    await send(known);
    await verify(known, latestCode(known));
    clock.advance(61);
    const a = await send(known);
    const b = await send(freshPhone());
    expect([a.status, a.body]).toEqual([b.status, b.body]);
  });

  it('refuses bad and foreign numbers with stable codes', async () => {
    expect((await send('12345')).body).toMatchObject({ status: 422, code: 'INVALID_PHONE' });
    expect((await send('+86 10 6552 9988')).body).toMatchObject({ status: 422, code: 'INVALID_PHONE' }); // a landline
    expect((await send('+33 6 12 34 56 78')).body).toMatchObject({
      status: 403,
      code: 'COUNTRY_NOT_ALLOWED',
    });
  });
});

describe('Verifying codes', () => {
  it('creates the user on first success and finds the same user after', async () => {
    const phone = freshPhone();
    await send(phone);
    const first = await verify(phone, latestCode(phone));
    expect(first.status).toBe(200);
    expect(first.body.isNewUser).toBe(true);
    expect(first.body.user).toMatchObject({
      phone,
      identities: [{ type: 'phone', label: expect.stringMatching(/^\+86 138\*{4}\d{4}$/) }],
    });

    clock.advance(61);
    await send(phone);
    takeVerifyCalls();
    const second = await verify(phone, latestCode(phone));
    expect(second.body.isNewUser).toBe(false);
    // The code and identity, the account (read once: the dormancy check's read is the answer's
    // user), its last sign-in, then the sign-in transaction: 4 calls.
    expect(takeVerifyCalls()).toEqual([
      'BatchGetItemCommand',
      'QueryCommand',
      'GetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(second.body.user.id).toBe(first.body.user.id);
    const me = await api.call('GET', '/v1/me', { token: second.body.access_token });
    expect(me.body.id).toBe(first.body.user.id);
  });

  it('gives exactly one session for 10 parallel verifies of the right code', async () => {
    const phone = freshPhone();
    await send(phone);
    const code = latestCode(phone);
    const results = await Promise.all(Array.from({ length: 10 }, () => verify(phone, code)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('INVALID_CODE');
    const winner = results.find((r) => r.status === 200);
    const sessions = await api.call('GET', '/v1/me/sessions', { token: winner?.body.access_token });
    expect(sessions.body.sessions).toHaveLength(1);
  });

  it('kills a code after 5 wrong tries', async () => {
    const phone = freshPhone();
    await send(phone);
    const code = latestCode(phone);
    for (let i = 0; i < 4; i++) expect((await verify(phone, wrong(code))).body.code).toBe('INVALID_CODE');
    const fifth = await verify(phone, wrong(code));
    expect(fifth).toMatchObject({ status: 429, body: { code: 'TOO_MANY_ATTEMPTS' } });
    expect((await verify(phone, code)).body.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('refuses a code older than 10 minutes, a used code, and a code sent to another phone', async () => {
    const phone = freshPhone();
    await send(phone);
    clock.advance(601);
    expect((await verify(phone, latestCode(phone))).body.code).toBe('INVALID_CODE');

    const other = freshPhone();
    await send(other);
    clock.advance(61);
    await send(phone);
    expect((await verify(phone, latestCode(other))).status).toBe(401);
    expect((await verify(phone, latestCode(phone))).status).toBe(200);
    expect((await verify(phone, latestCode(phone))).body.code).toBe('INVALID_CODE');
  });

  it('only honours the newest code', async () => {
    const phone = freshPhone();
    await send(phone);
    const old = latestCode(phone);
    clock.advance(61);
    await send(phone);
    if (old !== latestCode(phone)) expect((await verify(phone, old)).body.code).toBe('INVALID_CODE');
    expect((await verify(phone, latestCode(phone))).status).toBe(200);
  });
});
