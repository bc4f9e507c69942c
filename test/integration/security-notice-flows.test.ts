import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockAwsClient } from '../support/aws-calls';
import { ManualClock } from '../support/manual-clock';
import { freshPhone } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * Security notices over HTTP (issue 12 item 8), through the real SNS adapters with SNS mocked at
 * the SDK boundary: each flow's notice goes out once per channel — a text to the phone, an event
 * on the alert topic — with its text and subject, and a replayed request or a send that failed
 * once still gives exactly one.
 */
const sns = mockAwsClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:linkguard-test-alerts';
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const PKCE = { codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256' };
const PASSWORD = 'a long and unusual passphrase 42';
const IPHONE = 'LinkGuard/2.4 (iPhone15,2; iOS 17.4)';
const PIXEL = 'LinkGuard/2.4 (Pixel 8; Android 14)';

beforeAll(async () => {
  api = await startTestApi({
    clock,
    providers: true,
    env: {
      SMS_TRANSPORT: 'sns',
      ALERT_TOPIC_ARN: TOPIC,
      SMS_PER_IP_HOURLY: '1000',
      SMS_DAILY_CAP: '1000',
      OIDC_JWKS_COOLDOWN_SECONDS: '0',
    },
  });
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterAll(async () => {
  sns.restore();
  await api.close();
});

type Published = { PhoneNumber?: string; TopicArn?: string; Message?: string; Subject?: string } & {
  MessageAttributes?: Record<string, { StringValue?: string }>;
};
/** What SNS refused (the mock records refused calls too): not sent. */
const refused = new Set<unknown>();
/** What SNS accepted. */
const published = (): Published[] =>
  sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input as Published)
    .filter((input) => !refused.has(input));
/** The security notices texted to `phone` (codes are not notices). */
const textsTo = (phone: string) =>
  published()
    .filter((p) => p.PhoneNumber === phone && p.Message?.startsWith('LinkGuard: ') === true)
    .map((p) => p.Message as string);
/** The security notices published on the alert topic for `userId`. */
const topicFor = (userId: string) =>
  published().filter(
    (p) =>
      p.TopicArn === TOPIC &&
      p.MessageAttributes?.userId?.StringValue === userId &&
      p.MessageAttributes?.eventType?.StringValue === 'security.notice',
  );
/** SNS refuses the next `times` publishes (then answers again). */
function failNextPublishes(times: number) {
  let left = times;
  sns.on(PublishCommand).callsFake((input: unknown) => {
    if (left-- > 0) {
      refused.add(input);
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    return { MessageId: 'm-2' };
  });
}

async function sendCode(phone: string): Promise<string> {
  clock.advance(61);
  const sent = await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  expect(sent.status).toBe(202);
  const text = published()
    .filter((p) => p.PhoneNumber === phone)
    .map((p) => p.Message?.match(/code is (\d{6})/)?.[1])
    .filter((code) => code !== undefined)
    .at(-1);
  if (text === undefined) throw new Error(`no code texted to ${phone}`);
  return text;
}
const smsSignIn = async (phone: string, device = IPHONE) =>
  api.call('POST', '/v1/auth/sms/verify', {
    json: { phone, code: await sendCode(phone) },
    headers: { 'user-agent': device },
  });
const login = (username: string, device: string, password = PASSWORD) => {
  clock.advance(1);
  return api.call('POST', '/v1/auth/login', {
    json: { username, password },
    headers: { 'user-agent': device },
  });
};
const emulator = async (path: string, body: unknown = {}) =>
  (await (
    await fetch(`${api.providers?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).json()) as Record<string, string>;
const googleToken = async (sub?: string) =>
  emulator('/emulator/oidc/google/id-token', {
    nonce: 'nonce-1234567890',
    ...(sub === undefined ? {} : { sub }),
  });
/** Signs in with Google (a new account for a new subject) from `device`; answers the token response and the subject. */
async function googleSignIn(device: string, subject?: string) {
  clock.advance(1);
  const { idToken, sub } = await googleToken(subject);
  const started = await api.call('POST', '/v1/auth/social', {
    json: { ...PKCE, provider: 'google', idToken, nonce: 'nonce-1234567890' },
    headers: { 'user-agent': device },
  });
  expect(started.status).toBe(200);
  const tokens = await api.call('POST', '/v1/oauth/token', {
    json: { grant_type: 'authorization_code', code: started.body.code, code_verifier: VERIFIER },
    headers: { 'user-agent': device },
  });
  return { ...tokens, sub: sub as string };
}
let counter = 0;
const freshUsername = () => `notice_${Date.now() % 1_000_000}_${++counter}`;

describe('Security notice: new sign-in on a new device', () => {
  it('sends none for a first SMS sign-up or the same device, one for a new device, none for its retried sign-in', async () => {
    // Prepare: a phone account, created on an iPhone.
    const phone = freshPhone();
    const signUp = await smsSignIn(phone, IPHONE);
    expect(signUp.body.isNewUser).toBe(true);
    const userId = signUp.body.user.id as string;

    // Act: the iPhone again, then a Pixel, then the Pixel's sign-in retried.
    const sameDevice = await smsSignIn(phone, IPHONE);
    const noneYet = { texts: textsTo(phone).length, topic: topicFor(userId).length };
    const newDevice = await smsSignIn(phone, PIXEL);
    const retried = await smsSignIn(phone, PIXEL);

    // Assess
    expect([sameDevice.status, newDevice.status, retried.status]).toEqual([200, 200, 200]);
    expect(noneYet).toEqual({ texts: 0, topic: 0 });
    expect(textsTo(phone)).toHaveLength(1);
    expect(textsTo(phone)[0]).toContain(`signed in on a new device (${PIXEL})`);
    expect(textsTo(phone)[0]).toContain("If this wasn't you, change your password");
    expect(topicFor(userId)).toHaveLength(1);
    expect(topicFor(userId)[0]).toMatchObject({ Subject: 'New sign-in to your LinkGuard account' });
  });

  it('tells a password account of a login from a new device once, on the topic (no phone to text), even if SNS refuses once', async () => {
    // Prepare: registered on the iPhone.
    const username = freshUsername();
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
      headers: { 'user-agent': IPHONE },
    });
    const userId = registered.body.user.id as string;

    // Act
    const same = await login(username, IPHONE);
    const afterSame = topicFor(userId).length;
    failNextPublishes(1);
    const fresh = await login(username, PIXEL);
    const again = await login(username, PIXEL);

    // Assess
    expect([same.status, fresh.status, again.status]).toEqual([200, 200, 200]);
    expect(afterSame).toBe(0);
    expect(topicFor(userId)).toHaveLength(1);
    expect(topicFor(userId)[0]?.Message).toContain('Pixel 8');
    expect(published().filter((p) => p.PhoneNumber !== undefined)).toEqual([]);
  });

  it('sends none for a first social sign-up, one when the code exchange comes from a new device, even if SNS fails once', async () => {
    // Prepare: a Google account created on the iPhone.
    const first = await googleSignIn(IPHONE);
    expect(first.status).toBe(200);
    const userId = first.body.user.id as string;
    const afterSignUp = topicFor(userId).length;

    // Act: the same Google account on a Pixel, the topic refusing once.
    failNextPublishes(1);
    const fromPixel = await googleSignIn(PIXEL, first.sub);

    // Assess: the sign-in stands; one notice got out on the retry.
    expect(afterSignUp).toBe(0);
    expect(fromPixel.status).toBe(200);
    expect(fromPixel.body.user.id).toBe(userId);
    expect(topicFor(userId)).toHaveLength(1);
  });

  it('lets the sign-in stand when SNS keeps failing: no notice, no error', async () => {
    const phone = freshPhone();
    await smsSignIn(phone, IPHONE);
    const code = await sendCode(phone);
    failNextPublishes(100);

    const signIn = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone, code },
      headers: { 'user-agent': PIXEL },
    });

    expect(signIn.status).toBe(200);
    expect(signIn.body.access_token).toBeDefined();
  });
});

/** A phone account signed in just now (a fresh `auth_time` for the sensitive routes). */
async function phoneAccount() {
  const phone = freshPhone();
  const signedIn = await smsSignIn(phone);
  expect(signedIn.status).toBe(200);
  return { phone, token: signedIn.body.access_token as string, userId: signedIn.body.user.id as string };
}
const setPassword = (token: string, json: Record<string, unknown>) =>
  api.call('PUT', '/v1/me/password', { token, json, headers: { 'user-agent': IPHONE } });

describe('Security notice: password set and changed (PUT /v1/me/password)', () => {
  it('tells of a password added (a new way in) and of a password changed, once each, a replay sending nothing', async () => {
    // Prepare
    const { phone, token, userId } = await phoneAccount();
    const username = freshUsername();

    // Act: add a username + password, change it, then replay the change.
    const added = await setPassword(token, { username, password: PASSWORD });
    const afterAdd = textsTo(phone);
    const changed = await setPassword(token, {
      currentPassword: PASSWORD,
      password: 'another long passphrase 43',
    });
    const replayed = await setPassword(token, {
      currentPassword: PASSWORD,
      password: 'another long passphrase 43',
    });

    // Assess
    expect([added.status, changed.status]).toEqual([204, 204]);
    expect(replayed.body.code).toBe('INVALID_CREDENTIALS');
    expect(afterAdd).toEqual([
      expect.stringContaining('A username and password was linked to your LinkGuard account'),
    ]);
    expect(textsTo(phone)).toHaveLength(2);
    expect(textsTo(phone)[1]).toContain('Your password was changed and your other sessions were signed out');
    expect(topicFor(userId).map((p) => p.Subject)).toEqual([
      'A new way to sign in was added',
      'Your LinkGuard password was changed',
    ]);
  });

  it('sends the password-changed text once when SNS refuses it the first time', async () => {
    const { phone, token, userId } = await phoneAccount();
    expect((await setPassword(token, { username: freshUsername(), password: PASSWORD })).status).toBe(204);
    failNextPublishes(1);

    const changed = await setPassword(token, {
      currentPassword: PASSWORD,
      password: 'another long passphrase 43',
    });

    expect(changed.status).toBe(204);
    expect(textsTo(phone).filter((t) => t.includes('password was changed'))).toHaveLength(1);
    expect(topicFor(userId).filter((p) => p.Subject === 'Your LinkGuard password was changed')).toHaveLength(
      1,
    );
  });
});

describe('Security notice: identity linked and unlinked', () => {
  it('tells of Google linked and unlinked once each; the replayed link and unlink send nothing more', async () => {
    // Prepare
    const { phone, token, userId } = await phoneAccount();
    const google = await googleToken();
    const again = await googleToken(google.sub);
    const link = (idToken: string) =>
      api.call('POST', '/v1/me/identities/social', {
        token,
        json: { provider: 'google', idToken, nonce: 'nonce-1234567890' },
      });

    // Act
    const linked = await link(google.idToken as string);
    const relinked = await link(again.idToken as string);
    const unlinked = await api.call('DELETE', '/v1/me/identities/google', { token });
    const unlinkedAgain = await api.call('DELETE', '/v1/me/identities/google', { token });

    // Assess
    expect([linked.status, relinked.status, unlinked.status, unlinkedAgain.status]).toEqual([
      201, 201, 204, 404,
    ]);
    expect(textsTo(phone)).toEqual([
      expect.stringContaining('Google was linked to your LinkGuard account'),
      expect.stringContaining('Google was removed from your LinkGuard account'),
    ]);
    expect(topicFor(userId).map((p) => p.Subject)).toEqual([
      'A new way to sign in was added',
      'A way to sign in was removed',
    ]);
  });

  it('texts a phone linked to a password account, and an unlinked phone that it was removed', async () => {
    // Prepare: a password account, signed in now.
    const username = freshUsername();
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
    });
    const token = registered.body.access_token as string;
    const userId = registered.body.user.id as string;
    const phone = freshPhone();

    // Act
    const linked = await api.call('POST', '/v1/me/identities/phone', {
      token,
      json: { phone, code: await sendCode(phone) },
    });
    const unlinked = await api.call('DELETE', '/v1/me/identities/phone', { token });

    // Assess
    expect([linked.status, unlinked.status]).toEqual([201, 204]);
    expect(textsTo(phone)).toEqual([
      expect.stringContaining('A phone number was linked'),
      expect.stringContaining('A phone number was removed'),
    ]);
    expect(topicFor(userId)).toHaveLength(2);
  });
});

describe('Security notice: phone changed (PUT /v1/me/phone)', () => {
  it('texts the old number (not the new one) and the topic once, even with SNS refusing once; a replay sends nothing', async () => {
    // Prepare
    const { phone: oldPhone, token, userId } = await phoneAccount();
    const newPhone = freshPhone();
    const code = await sendCode(newPhone);
    failNextPublishes(1);

    // Act
    const changed = await api.call('PUT', '/v1/me/phone', { token, json: { phone: newPhone, code } });
    const replayed = await api.call('PUT', '/v1/me/phone', { token, json: { phone: newPhone, code } });

    // Assess
    expect(changed.status).toBe(200);
    expect(replayed.body.code).toBe('INVALID_CODE');
    expect(textsTo(oldPhone)).toEqual([
      expect.stringContaining('The phone number of your account was changed; this number no longer signs in'),
    ]);
    expect(textsTo(newPhone)).toEqual([]);
    expect(topicFor(userId).map((p) => p.Subject)).toEqual(['Your LinkGuard phone number was changed']);
  });
});

describe('Security notice: account deletion requested (DELETE /v1/me)', () => {
  it('texts the phone the account had and publishes on the topic, once; the freed number signs up anew', async () => {
    // Prepare
    const { phone, token, userId } = await phoneAccount();

    // Act
    const deleted = await api.call('DELETE', '/v1/me', { token });
    const replayed = await api.call('DELETE', '/v1/me', { token });

    // Assess
    expect(deleted.status).toBe(202);
    expect(replayed.status).toBe(401);
    expect(textsTo(phone)).toEqual([expect.stringContaining('Your account deletion was requested')]);
    expect(topicFor(userId).map((p) => p.Subject)).toEqual(['Your LinkGuard account is being deleted']);
    const newcomer = await smsSignIn(phone);
    expect(newcomer.body.isNewUser).toBe(true);
    expect(textsTo(phone)).toHaveLength(1);
  });
});

describe('Security notice: a held SMS sign-in finished with the password (POST /v1/auth/sms/reverify)', () => {
  it('tells of the sign-in from a new device once', async () => {
    // Prepare: a password account with a phone, unused for 181 days; a new phone asks for a code.
    const username = freshUsername();
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
      headers: { 'user-agent': IPHONE },
    });
    const userId = registered.body.user.id as string;
    const phone = freshPhone();
    const linked = await api.call('POST', '/v1/me/identities/phone', {
      token: registered.body.access_token,
      json: { phone, code: await sendCode(phone) },
    });
    expect(linked.status).toBe(201);
    clock.advance(181 * 86_400);
    const held = await smsSignIn(phone, PIXEL);
    expect(held.body.code).toBe('PHONE_REVERIFY_REQUIRED');
    const before = textsTo(phone).length;

    // Act: the owner proves the password on the Pixel.
    const finished = await api.call('POST', '/v1/auth/sms/reverify', {
      json: { challenge: held.body.challenge, password: PASSWORD },
      headers: { 'user-agent': PIXEL },
    });

    // Assess
    expect(finished.status).toBe(200);
    expect(textsTo(phone).slice(before)).toEqual([
      expect.stringContaining('signed in on a new device (LinkGuard/2.4 (Pixel 8'),
    ]);
    expect(
      topicFor(userId).filter((p) => p.Subject === 'New sign-in to your LinkGuard account'),
    ).toHaveLength(1);
  });
});
