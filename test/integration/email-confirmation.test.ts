import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-03T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

async function phoneUser() {
  const phone = freshPhone();
  await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  const signedIn = await api.call('POST', '/v1/auth/sms/verify', {
    json: { phone, code: latestCode(phone) },
  });
  return {
    token: signedIn.body.access_token as string,
    refreshToken: signedIn.body.refresh_token as string,
    userId: signedIn.body.user.id as string,
    phone,
  };
}
const patch = (token: string, json: unknown) => api.call('PATCH', '/v1/me', { token, json });

describe('PATCH /v1/me with email and notifications together', () => {
  it('stores the address as the email and the flag as the channel', async () => {
    const user = await phoneUser();

    const patched = await patch(user.token, { email: 'both@example.com', notifications: { email: true } });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ email: 'both@example.com', notifications: { email: true } });
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body).toMatchObject({ email: 'both@example.com', notifications: { email: true } });
  });
});

/** The confirmation link in the newest subscription mail to `email`, as a local API path. */
function confirmationLink(email: string): string {
  const mail = localOutbox.messages
    .filter(
      (m) => m.channel === 'email' && m.to === email && m.attributes.kind === 'subscription-confirmation',
    )
    .at(-1);
  const link = mail?.message.match(/(\/_local\/email\/confirm\?token=[\w-]+)/)?.[1];
  if (link === undefined) throw new Error(`No confirmation mail to ${email}.`);
  return link;
}
const alertsTo = (email: string) =>
  localOutbox.messages.filter(
    (m) => m.channel === 'email' && m.to === email && m.attributes.kind !== 'subscription-confirmation',
  );

describe('emailConfirmed follows the subscription', () => {
  it('stays false until the link in the confirmation mail is followed, then is true', async () => {
    // Prepare
    const user = await phoneUser();
    const email = `confirm-${user.userId}@example.com`;
    await patch(user.token, { email });
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.emailConfirmed).toBe(false);

    // Act: the owner of the address follows the link in the mail.
    const followed = await api.call('GET', confirmationLink(email));

    // Assess
    expect(followed).toMatchObject({ status: 200, body: { confirmed: true, email } });
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body).toMatchObject({ email, emailConfirmed: true });
    const events = await api.call('GET', '/v1/me/events', { token: user.token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toContain('email.confirmed');
    // A link works once.
    expect((await api.call('GET', confirmationLink(email))).status).toBe(404);
  });

  it('sends alerts only to a confirmed address, and a new address starts unconfirmed', async () => {
    const user = await phoneUser();
    const first = `first-${user.userId}@example.com`;
    const second = `second-${user.userId}@example.com`;
    await patch(user.token, { email: first });
    const { OutboxAlertChannels } = await import('../../functions/adapters/alert-channels');
    const { OutboxSmsSender } = await import('../../functions/adapters/outbox');
    const alerts = new OutboxAlertChannels(new OutboxSmsSender());
    const alert = () =>
      alerts.publishEvent({
        userId: user.userId,
        itemId: 'item-1',
        eventType: 'item.needs_action',
        subject: 'Bank',
        message: 'Your bank needs you to sign in again.',
      });

    await alert();
    expect(alertsTo(first)).toHaveLength(0);
    await api.call('GET', confirmationLink(first));
    await alert();
    expect(alertsTo(first)).toHaveLength(1);

    const changed = await patch(user.token, { email: second });
    expect(changed.body).toMatchObject({ email: second, emailConfirmed: false });
    await alert();
    expect(alertsTo(first)).toHaveLength(1);
    expect(alertsTo(second)).toHaveLength(0);
  });

  it('keeps the confirmation when the same address is sent again', async () => {
    const user = await phoneUser();
    const email = `same-${user.userId}@example.com`;
    await patch(user.token, { email });
    await api.call('GET', confirmationLink(email));
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.emailConfirmed).toBe(true);

    const again = await patch(user.token, { email, displayName: 'Same' });

    expect(again.body).toMatchObject({ email, emailConfirmed: true, displayName: 'Same' });
  });
});

describe('The mail-bombing brake', () => {
  it('allows 3 confirmation mails an hour per account, then 429 EMAIL_RATE_LIMITED with Retry-After', async () => {
    // Prepare: a victim's address, and an account that keeps giving it.
    clock.set('2026-05-03T10:00:00.000Z');
    const user = await phoneUser();
    const victim = `victim-${user.userId}@example.com`;
    const mails = () => localOutbox.messages.filter((m) => m.to === victim).length;

    // Act: alternate addresses, so that each change mails someone.
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await patch(user.token, { email: i % 2 === 0 ? victim : `other-${user.userId}@example.com` }),
      );
    }

    // Assess: three mails went out, the fourth change was refused and stored nothing.
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[3]).toMatchObject({ status: 429, body: { code: 'EMAIL_RATE_LIMITED' } });
    expect(answers[3]?.headers.get('retry-after')).toBe('3600');
    expect(mails()).toBe(2);
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body.email).toBe(victim);
    // A name change mails nobody and is not braked.
    expect((await patch(user.token, { displayName: 'Still fine' })).status).toBe(200);

    // The next hour allows more, up to 10 a day.
    clock.advance(3600);
    // A new email is a sensitive change: sign in again (a refresh keeps the old auth_time).
    await api.call('POST', '/v1/auth/sms/send', { json: { phone: user.phone } });
    const again = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: user.phone, code: latestCode(user.phone) },
    });
    expect((await patch(again.body.access_token, { email: `later-${user.userId}@example.com` })).status).toBe(
      200,
    );
  });

  it('counts parallel changes atomically: 10 at once mail at most 3 times', async () => {
    clock.set('2026-05-03T12:00:00.000Z');
    const user = await phoneUser();

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        patch(user.token, { email: `burst${i}-${user.userId}@example.com` }),
      ),
    );

    const sent = localOutbox.messages.filter(
      (m) =>
        m.channel === 'email' && m.to.startsWith('burst') && m.to.endsWith(`-${user.userId}@example.com`),
    );
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(7);
    for (const a of answers) expect([200, 409, 429]).toContain(a.status);
  });
});
