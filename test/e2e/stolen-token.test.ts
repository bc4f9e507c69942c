import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '../../functions/adapters/dynamo/table';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * The red-team takeover (issue 10, finding 2), replayed over HTTP against the local runtime: an
 * attacker holds the victim's 15-minute access token, taken before the victim changed the
 * password and signed out everywhere. Every sensitive change the attacker tries is refused, and
 * the table is byte-for-byte what it was.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
// The provider emulator stamps id_tokens with the real time: the API's clock starts there too.
const clock = new ManualClock(new Date());
const PASSWORD = 'purple-otter-bakes-42';

beforeAll(async () => {
  api = await startTestApi({ clock, providers: true, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

/** Every item of the test's own table, in key order. */
async function tableSnapshot() {
  const table = createTable({ name: api.tableName, endpoint: api.endpoint, region: 'us-east-1' });
  const result = await table.client.send(new ScanCommand({ TableName: api.tableName, ConsistentRead: true }));
  return (result.Items ?? []).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`)) as Record<
    string,
    unknown
  >[];
}

async function googleIdToken(): Promise<string> {
  const response = await fetch(`${api.providers?.url}/emulator/oidc/google/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce: 'attacker-nonce-0001', name: 'Mallory' }),
  });
  return ((await response.json()) as { idToken: string }).idToken;
}

async function smsCode(phone: string): Promise<string> {
  clock.advance(61);
  expect((await api.call('POST', '/v1/auth/sms/send', { json: { phone } })).status).toBe(202);
  return latestCode(phone);
}

/** The attacker's every move with the stolen token; each must be a 401 before any handler runs. */
async function attack(stolen: string, attackerPhone: string, attackerCode: string) {
  return {
    linkGoogle: await api.call('POST', '/v1/me/identities/social', {
      token: stolen,
      json: { provider: 'google', idToken: await googleIdToken(), nonce: 'attacker-nonce-0001' },
    }),
    unlinkPassword: await api.call('DELETE', '/v1/me/identities/password', { token: stolen }),
    unlinkPhone: await api.call('DELETE', '/v1/me/identities/phone', { token: stolen }),
    addPassword: await api.call('PUT', '/v1/me/password', {
      token: stolen,
      json: { username: 'mallory', password: 'mallory-owns-this-1' },
    }),
    swapPhone: await api.call('POST', '/v1/me/identities/phone', {
      token: stolen,
      json: { phone: attackerPhone, code: attackerCode },
    }),
    changeEmail: await api.call('PATCH', '/v1/me', {
      token: stolen,
      json: { email: 'mallory@evil.example' },
    }),
  };
}

function expectAllRefused(results: Record<string, { status: number; body: { code?: string } }>) {
  for (const [move, response] of Object.entries(results)) {
    expect({ move, status: response.status, code: response.body?.code }).toEqual({
      move,
      status: 401,
      code: 'INVALID_TOKEN',
    });
  }
}

describe('A stolen access token after "change password + sign out everywhere"', () => {
  it('cannot link Google, unlink the password, or touch the phone of a password user', async () => {
    // Prepare: the victim signs up; the attacker copies the access token.
    const victim = await api.call('POST', '/v1/auth/register', {
      json: { username: 'victim-pw', password: PASSWORD },
    });
    expect(victim.status).toBe(201);
    const stolen: string = victim.body.access_token;
    // The victim notices, changes the password and signs out everywhere.
    const changed = await api.call('PUT', '/v1/me/password', {
      token: stolen,
      json: { password: 'new-purple-otter-43', currentPassword: PASSWORD },
    });
    expect(changed.status).toBe(204);
    expect(
      (await api.call('POST', '/v1/auth/logout', { token: stolen, json: { allSessions: true } })).status,
    ).toBe(204);
    const attackerPhone = freshPhone();
    const attackerCode = await smsCode(attackerPhone);
    const before = await tableSnapshot();

    // Act: minutes later, well within the token's 15 minutes.
    clock.advance(60);
    const results = await attack(stolen, attackerPhone, attackerCode);

    // Assess
    expectAllRefused(results);
    expect(await tableSnapshot()).toEqual(before);
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: 'victim-pw', password: 'new-purple-otter-43' },
    });
    expect(login.body.user.identities.map((i: { type: string }) => i.type)).toEqual(['password']);
  });

  it('cannot add a username and password to a phone-only victim, nor swap in its own phone', async () => {
    // Prepare: a phone-only victim; the attacker copies the token; the victim signs out everywhere.
    const victimPhone = freshPhone();
    const victim = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: victimPhone, code: await smsCode(victimPhone) },
    });
    expect(victim.status).toBe(200);
    const stolen: string = victim.body.access_token;
    expect(
      (await api.call('POST', '/v1/auth/logout', { token: stolen, json: { allSessions: true } })).status,
    ).toBe(204);
    const attackerPhone = freshPhone();
    const attackerCode = await smsCode(attackerPhone);
    const before = await tableSnapshot();

    // Act
    clock.advance(60);
    const results = await attack(stolen, attackerPhone, attackerCode);

    // Assess: refused, nothing written; the victim's next SMS sign-in is the same account.
    expectAllRefused(results);
    expect(await tableSnapshot()).toEqual(before);
    const again = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: victimPhone, code: await smsCode(victimPhone) },
    });
    expect(again.body).toMatchObject({ isNewUser: false, user: { id: victim.body.user.id } });
    expect(again.body.user.identities.map((i: { type: string }) => i.type)).toEqual(['phone']);
    expect(
      (
        await api.call('POST', '/v1/auth/login', {
          json: { username: 'mallory', password: 'mallory-owns-this-1' },
        })
      ).status,
    ).toBe(401);
  });
});

describe('Step-up: a sensitive change needs an auth_time within 10 minutes', () => {
  it('answers 401 REAUTH_REQUIRED with the RFC 9470 challenge 11 minutes after sign-in, and works after /v1/auth/reauth', async () => {
    // Prepare
    const user = await api.call('POST', '/v1/auth/register', {
      json: { username: 'stepper', password: PASSWORD },
    });
    const token: string = user.body.access_token;
    const fresh = await api.call('PATCH', '/v1/me', { token, json: { displayName: 'Fresh' } });
    expect(fresh.status).toBe(200);

    // Act
    clock.advance(11 * 60);
    const sensitive = await api.call('PUT', '/v1/me/password', {
      token,
      json: { password: 'another-purple-otter-1', currentPassword: PASSWORD },
    });
    const email = await api.call('PATCH', '/v1/me', { token, json: { email: 'stepper@example.com' } });
    const harmless = await api.call('PATCH', '/v1/me', { token, json: { displayName: 'Still fine' } });

    // Assess
    for (const refused of [sensitive, email]) {
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('REAUTH_REQUIRED');
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_user_authentication", max_age=600',
      );
    }
    expect(harmless.status).toBe(200);

    // The app's answer to the challenge: re-authenticate, then retry with the new token.
    const renewed = await api.call('POST', '/v1/auth/reauth', { token, json: { password: PASSWORD } });
    expect(renewed.status).toBe(200);
    const retried = await api.call('PUT', '/v1/me/password', {
      token: renewed.body.access_token,
      json: { password: 'another-purple-otter-1', currentPassword: PASSWORD },
    });
    expect(retried.status).toBe(204);
  });

  it('keeps auth_time across a refresh: refreshing is not re-authenticating', async () => {
    const user = await api.call('POST', '/v1/auth/register', {
      json: { username: 'refresher', password: PASSWORD },
    });
    clock.advance(11 * 60);
    const refreshed = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: user.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const unlink = await api.call('DELETE', '/v1/me/identities/password', {
      token: refreshed.body.access_token,
    });
    expect(unlink.status).toBe(401);
    expect(unlink.body.code).toBe('REAUTH_REQUIRED');
  });
});
