import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { OffsetClock } from '../../local/clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
/** The local runtime's clock (real time, moved forward only), shared with the provider emulator. */
const clock = new OffsetClock();
/** Moves the clock to just after the next full hour: the brakes count per clock hour. */
const toNextHour = () => clock.advance(3600 - (Math.floor(clock.now().getTime() / 1000) % 3600) + 1);

beforeAll(async () => {
  api = await startTestApi({
    clock,
    providers: true,
    env: { SMS_PER_IP_HOURLY: '1000', PASSWORD_RESET_PER_IP_HOURLY: '5' },
  });
});
afterAll(async () => {
  await api.close();
});

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
let counter = 0;
const freshUsername = () => `mailreset_${Date.now() % 1_000_000}_${++counter}`;
/** A client address of its own for each account, so that the per-IP brake is tried on purpose only. */
const freshIp = () => `198.51.100.${(counter % 250) + 1}`;

const login = (username: string, password: string) =>
  api.call('POST', '/v1/auth/login', { json: { username, password } });
const requestLink = (username: string, ip = freshIp()) =>
  api.call('POST', '/v1/auth/password/reset/email', {
    json: { username },
    headers: { 'x-forwarded-for': ip },
  });
const complete = (token: string, password = NEW_PASSWORD) =>
  api.call('POST', '/v1/auth/password/reset/email/complete', { json: { token, password } });
const refresh = (refreshToken: string) =>
  api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: refreshToken } });

/** Reset mails to `email`, newest last. */
const resetMails = (email: string) =>
  localOutbox.messages.filter(
    (m) => m.channel === 'email' && m.to === email && m.attributes.eventType === 'account.recovery',
  );
/** The token in the newest reset mail to `email`. */
function linkToken(email: string): string {
  const token = resetMails(email)
    .at(-1)
    ?.message.match(/[?&]token=([^\s&]+)/)?.[1];
  if (token === undefined) throw new Error(`No reset mail to ${email}.`);
  return decodeURIComponent(token);
}

/** A username + password account; with `email: 'confirmed'`, an email that followed its link. */
async function account(options: { email?: 'confirmed' | 'unconfirmed'; phone?: boolean } = {}) {
  const username = freshUsername();
  const registered = await api.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } });
  expect(registered.status).toBe(201);
  const token = registered.body.access_token as string;
  const email = `${username}@example.com`;
  let phone: string | undefined;
  if (options.phone) {
    phone = freshPhone();
    await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
    const linked = await api.call('POST', '/v1/me/identities/phone', {
      token,
      json: { phone, code: latestCode(phone) },
    });
    expect(linked.status).toBe(201);
  }
  if (options.email !== undefined) {
    expect((await api.call('PATCH', '/v1/me', { token, json: { email } })).status).toBe(200);
    if (options.email === 'confirmed') {
      const mail = localOutbox.messages.filter((m) => m.to === email).at(-1);
      const link = mail?.message.match(/(\/_local\/email\/confirm\?token=[\w-]+)/)?.[1] as string;
      expect((await api.call('GET', link)).status).toBe(200);
    }
  }
  return { username, email, phone, userId: registered.body.user.id as string, first: registered.body };
}

describe('Password reset by confirmed email', () => {
  it('mails a single-use link that sets a new password, ends the lock and every other session', async () => {
    // Prepare: a locked-out owner with a confirmed email.
    const owner = await account({ email: 'confirmed', phone: true });
    for (let i = 0; i < 5; i++) await login(owner.username, 'wrong password!');
    expect((await login(owner.username, PASSWORD)).body.code).toBe('ACCOUNT_LOCKED');

    // Act: ask for a link, then follow it with a new password.
    const requested = await requestLink(owner.username);
    const result = await complete(linkToken(owner.email));

    // Assess: one mail with a link to the app, a token response for the same user...
    expect(requested).toMatchObject({ status: 202, body: { expiresIn: 900 } });
    expect(resetMails(owner.email)).toHaveLength(1);
    expect(resetMails(owner.email)[0]?.message).toContain('linkguard://password-reset?token=');
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toMatchObject({ token_type: 'Bearer', user: { id: owner.userId } });
    // ...only the new password works, the lock is gone, the session from before is dead...
    expect((await login(owner.username, NEW_PASSWORD)).status).toBe(200);
    expect((await login(owner.username, PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    expect((await refresh(owner.first.refresh_token)).body.error).toBe('invalid_grant');
    // ...the audit log says what happened...
    const events = await api.call('GET', '/v1/me/events', { token: result.body.access_token });
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['password.reset_requested', 'password.reset', 'session.revoked']),
    );
    // ...and the owner is told on the phone and by mail, without "SMS" in it.
    const notices = localOutbox.messages.filter(
      (m) => (m.to === owner.phone || m.to === owner.email) && m.message.includes('password was reset'),
    );
    expect(notices.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    for (const notice of notices) expect(notice.message).not.toMatch(/by SMS/);
  });

  it('takes a link once: a replay is 401 INVALID_LINK and changes nothing', async () => {
    const owner = await account({ email: 'confirmed' });
    await requestLink(owner.username);
    const token = linkToken(owner.email);
    expect((await complete(token)).status).toBe(200);

    const replay = await complete(token, 'the attacker passphrase');

    expect(replay).toMatchObject({ status: 401, body: { code: 'INVALID_LINK' } });
    expect((await login(owner.username, NEW_PASSWORD)).status).toBe(200);
    expect((await login(owner.username, 'the attacker passphrase')).status).toBe(401);
  });

  it('expires a link after 15 minutes', async () => {
    const late = await account({ email: 'confirmed' });
    const onTime = await account({ email: 'confirmed' });
    await requestLink(late.username);
    await requestLink(onTime.username);

    // The clock is the real one plus an offset, so real seconds pass too: the in-time use keeps a
    // minute's margin (a busy machine once took more than a second between the two requests).
    clock.advance(14 * 60);
    const inTime = await complete(linkToken(onTime.email));
    clock.advance(60);
    const expired = await complete(linkToken(late.email));

    expect(inTime.status).toBe(200);
    expect(expired).toMatchObject({ status: 401, body: { code: 'INVALID_LINK' } });
    expect((await login(late.username, PASSWORD)).status).toBe(200);
  });

  it('answers unknown usernames and accounts without a confirmed email the same 202, and mails nothing', async () => {
    // Prepare
    const unconfirmed = await account({ email: 'unconfirmed' });
    const noEmail = await account({ phone: true });
    const before = localOutbox.messages.length;

    // Act
    const answers = [
      await requestLink(freshUsername()),
      await requestLink(unconfirmed.username),
      await requestLink(noEmail.username),
    ];

    // Assess: the same status and body for each; not one message went out.
    for (const answer of answers) expect(answer).toMatchObject({ status: 202, body: { expiresIn: 900 } });
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(localOutbox.messages.slice(before)).toEqual([]);
  });

  it('gives one reset for 5 parallel completions with the same link', async () => {
    const owner = await account({ email: 'confirmed' });
    await requestLink(owner.username);
    const token = linkToken(owner.email);

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => complete(token, `${NEW_PASSWORD} ${i}`)),
    );

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('INVALID_LINK');
    const winner = results.findIndex((r) => r.status === 200);
    expect((await login(owner.username, `${NEW_PASSWORD} ${winner}`)).status).toBe(200);
  });

  it('makes a new link replace the last, and refuses a link once the email changed', async () => {
    const owner = await account({ email: 'confirmed' });
    await requestLink(owner.username);
    const first = linkToken(owner.email);
    await requestLink(owner.username);
    const second = linkToken(owner.email);
    const other = await account({ email: 'confirmed' });
    await requestLink(other.username);
    const token = linkToken(other.email);
    const signedIn = await login(other.username, PASSWORD);
    await api.call('PATCH', '/v1/me', { token: signedIn.body.access_token, json: { email: null } });

    expect((await complete(first)).body.code).toBe('INVALID_LINK');
    expect((await complete(token)).body.code).toBe('INVALID_LINK');
    expect((await complete(second)).status).toBe(200);
  });

  it('refuses made-up, malformed and foreign tokens with INVALID_LINK, and a common password before spending the link', async () => {
    const owner = await account({ email: 'confirmed' });
    await requestLink(owner.username);
    const token = linkToken(owner.email);
    const [userId, secret] = [
      token.slice(0, token.lastIndexOf('.')),
      token.slice(token.lastIndexOf('.') + 1),
    ];

    expect((await complete(`${userId}.${'x'.repeat(43)}`)).body.code).toBe('INVALID_LINK');
    expect((await complete(`usr_nobody.${secret}`)).body.code).toBe('INVALID_LINK');
    expect((await complete('no-dot-here')).body.code).toBe('INVALID_LINK');
    expect((await complete(token, 'password123')).body.code).toBe('PASSWORD_TOO_COMMON');
    expect((await complete(token, 'short')).body.code).toBe('VALIDATION_FAILED');
    expect((await api.call('POST', '/v1/auth/password/reset/email', { json: {} })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await complete(token)).status).toBe(200);
  });

  it('resets a dormant account: a confirmed email is not a recycled number', async () => {
    const owner = await account({ email: 'confirmed', phone: true });
    clock.advance(181 * 86_400);

    await requestLink(owner.username);
    const result = await complete(linkToken(owner.email));

    expect(result.status).toBe(200);
    expect((await login(owner.username, NEW_PASSWORD)).status).toBe(200);
  });
});

describe('An account with neither a verified phone nor a confirmed email', () => {
  it('gets no reset, but a linked provider gets it back in to set a new password under the same username', async () => {
    // Prepare: a username account with Google linked, and nothing to reset through.
    const owner = await account();
    const nonce = 'nonce-neither-1234';
    const mint = async () =>
      (await (
        await fetch(`${api.providers?.url}/emulator/oidc/google/id-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: `g-${owner.username}`, nonce }),
        })
      ).json()) as { idToken: string };
    const linked = await api.call('POST', '/v1/me/identities/social', {
      token: owner.first.access_token,
      json: { provider: 'google', idToken: (await mint()).idToken, nonce },
    });
    expect(linked.body).toMatchObject({ id: owner.userId });
    const before = localOutbox.messages.length;

    // Act: the reset request mails nothing; the owner signs in with Google instead, removes the
    // forgotten password and sets a new one.
    const requested = await requestLink(owner.username);
    const social = await api.call('POST', '/v1/auth/social', {
      json: {
        provider: 'google',
        idToken: (await mint()).idToken,
        nonce,
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        codeChallengeMethod: 'S256',
      },
    });
    const tokens = await api.call('POST', '/v1/oauth/token', {
      json: {
        grant_type: 'authorization_code',
        code: social.body.code,
        code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      },
    });
    const token = tokens.body.access_token as string;
    const removed = await api.call('DELETE', '/v1/me/identities/password', { token });
    const set = await api.call('PUT', '/v1/me/password', {
      token,
      json: { username: owner.username, password: NEW_PASSWORD },
    });

    // Assess
    expect(requested).toMatchObject({ status: 202, body: { expiresIn: 900 } });
    const recovery = localOutbox.messages
      .slice(before)
      .filter((m) => m.attributes.eventType === 'account.recovery');
    expect(recovery).toEqual([]);
    expect([removed.status, set.status]).toEqual([204, 204]);
    const login2 = await login(owner.username, NEW_PASSWORD);
    expect(login2.body.user).toMatchObject({ id: owner.userId });
  });
});

describe('The reset-link brakes', () => {
  it('mails an account at most 3 links an hour, answering the same 202 past it', async () => {
    toNextHour();
    const owner = await account({ email: 'confirmed' });

    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await requestLink(owner.username));

    for (const answer of answers) expect(answer).toMatchObject({ status: 202, body: { expiresIn: 900 } });
    // The confirmation mail counted against the same brake (3 an hour): 2 reset links went out.
    expect(resetMails(owner.email)).toHaveLength(2);
    clock.advance(3600);
    expect((await requestLink(owner.username)).status).toBe(202);
    expect(resetMails(owner.email)).toHaveLength(3);
  });

  it('limits requests per client IP (5 an hour here) with 429 EMAIL_RATE_LIMITED, whatever the username', async () => {
    toNextHour();
    const ip = '203.0.113.77';

    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await requestLink(freshUsername(), ip));

    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(answers[5]).toMatchObject({ status: 429, body: { code: 'EMAIL_RATE_LIMITED' } });
    // Retry-After: to the end of this clock hour, which began a moment ago.
    expect(Number(answers[5]?.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(Number(answers[5]?.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect((await requestLink(freshUsername(), '203.0.113.78')).status).toBe(202);
  });
});
