import { expect } from 'vitest';
import { freshPhone, latestCode } from './outbox';
import type { startTestApi } from './test-runtime';

type TestApi = Awaited<ReturnType<typeof startTestApi>>;

let counter = 0;

/**
 * The steps tests of phone recovery and recycled numbers share, over HTTP against one local
 * runtime: texting a code, moving the whole system's clock, and a username + password account
 * with a verified phone. `api` is read when a step runs (the runtime starts in `beforeAll`).
 *
 * @example
 * const { sendCode, advanceDays, passwordAccountWithPhone } = phoneAccounts(() => api);
 */
export function phoneAccounts(api: () => TestApi) {
  /** Texts a code to `phone` and reads it from the outbox. */
  async function sendCode(phone: string): Promise<string> {
    const sent = await api().call('POST', '/v1/auth/sms/send', { json: { phone } });
    expect(sent.status).toBe(202);
    return latestCode(phone);
  }

  /** Moves the whole local system's clock (API, poller, emulators) over HTTP, as a tester would. */
  async function advanceDays(days: number): Promise<void> {
    const moved = await api().call('POST', '/_local/clock', { json: { advanceSeconds: days * 86_400 } });
    expect(moved.status).toBe(200);
  }

  /** A new username + password account with a verified phone; its first sign-in's answer too. */
  async function passwordAccountWithPhone(password: string, prefix = 'phoneacct') {
    const username = `${prefix}_${Date.now() % 1_000_000}_${++counter}`;
    const phone = freshPhone();
    const registered = await api().call('POST', '/v1/auth/register', { json: { username, password } });
    expect(registered.status).toBe(201);
    const linked = await api().call('POST', '/v1/me/identities/phone', {
      token: registered.body.access_token,
      json: { phone, code: await sendCode(phone) },
    });
    expect(linked.status).toBe(201);
    return { username, phone, userId: registered.body.user.id as string, first: registered.body };
  }

  return { sendCode, advanceDays, passwordAccountWithPhone };
}
