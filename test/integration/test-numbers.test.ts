import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

const TEST_PHONE = '+8613800000077';
const TEST_CODE = '246810';
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-04T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_TEST_NUMBERS: `${TEST_PHONE}:${TEST_CODE}` } });
});
afterAll(async () => {
  await api.close();
});

describe('App-review test numbers', () => {
  it('sign in with their fixed code and never get an SMS', async () => {
    // Act
    const sent = await api.call('POST', '/v1/auth/sms/send', { json: { phone: TEST_PHONE } });
    const signedIn = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: TEST_PHONE, code: TEST_CODE },
    });

    // Assess
    expect(sent).toMatchObject({ status: 202, body: { expiresIn: 600 } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.phone).toBe(TEST_PHONE);
    expect(localOutbox.messages.filter((m) => m.to === TEST_PHONE)).toEqual([]);
  });

  it('keep every other code rule: single use, 5 wrong tries, the send limits', async () => {
    clock.advance(61);
    await api.call('POST', '/v1/auth/sms/send', { json: { phone: TEST_PHONE } });
    expect(
      (await api.call('POST', '/v1/auth/sms/verify', { json: { phone: TEST_PHONE, code: TEST_CODE } }))
        .status,
    ).toBe(200);
    const replay = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: TEST_PHONE, code: TEST_CODE },
    });
    expect(replay.body.code).toBe('INVALID_CODE');
    expect((await api.call('POST', '/v1/auth/sms/send', { json: { phone: TEST_PHONE } })).status).toBe(429);
  });
});
