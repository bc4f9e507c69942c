import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkBank, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * `DELETE /v1/me` over HTTP against the local runtime: the account stops working in the request,
 * and the deletion queue finishes the chain at Plaid and Apple, through their failures too.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const NONCE = 'nonce-1234567890';
const PASSWORD = 'a long and unusual passphrase 42';

beforeAll(async () => {
  api = await startTestApi({ clock, providers: true, plaid: {} });
});
afterAll(async () => {
  await api.close();
});

const idp = async (path: string, body?: unknown) => {
  const response = await fetch(`${api.providers?.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
};

/** A user with every kind of thing deletion must undo: a username, a phone, Apple, two banks. */
async function fullAccount() {
  const username = `del${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const registered = await api.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } });
  const token = registered.body.access_token as string;
  const phone = freshPhone();
  await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  const linkedPhone = await api.call('POST', '/v1/me/identities/phone', {
    token,
    json: { phone, code: latestCode(phone) },
  });
  expect(linkedPhone.status).toBe(201);
  const apple = (await idp('/emulator/oidc/apple/id-token', { nonce: NONCE, name: 'Del' })) as {
    idToken: string;
    authorizationCode: string;
    sub: string;
  };
  const linkedApple = await api.call('POST', '/v1/me/identities/social', {
    token,
    json: {
      provider: 'apple',
      idToken: apple.idToken,
      authorizationCode: apple.authorizationCode,
      nonce: NONCE,
    },
  });
  expect(linkedApple.status).toBe(201);
  const items = [
    (await linkBank(api, token, 'ins_109508')).body.itemId as string,
    (await linkBank(api, token, 'ins_109509')).body.itemId as string,
  ];
  return {
    username,
    phone,
    appleSub: apple.sub,
    items,
    token,
    refreshToken: registered.body.refresh_token as string,
    userId: registered.body.user.id as string,
  };
}

const drain = async () =>
  (await api.call('POST', '/_local/deletions/drain')).body as {
    completed: {
      work: { kind: string; userId: string };
      attempts: number;
      outcome: string;
      failures: string[];
    }[];
    deadLetters: { work: { kind: string; userId: string }; attempts: number; failures: string[] }[];
  };
const removedAtPlaid = (itemIds: string[]) =>
  (api.plaid?.items() ?? []).filter((i) => itemIds.includes(i.itemId)).map((i) => i.removed);
const revocationsOf = async (sub: string) =>
  ((await idp(`/emulator/oidc/apple/revocations?sub=${encodeURIComponent(sub)}`)).revocations as unknown[])
    .length;

describe('DELETE /v1/me', () => {
  it('ends the account in the request and finishes the chain at Plaid and Apple', async () => {
    // Prepare
    const account = await fullAccount();
    expect(removedAtPlaid(account.items)).toEqual([false, false]);

    // Act
    const deleted = await api.call('DELETE', '/v1/me', { token: account.token });

    // Assess: the account stopped working in the request
    expect(deleted.status).toBe(202);
    expect(Date.parse(deleted.body.deletedAt)).not.toBeNaN();
    const refresh = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: account.refreshToken },
    });
    expect(refresh.body.error).toBe('invalid_grant');
    const me = await api.call('GET', '/v1/me', { token: account.token });
    expect(me.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    // Sensitive routes read the session: the old token is refused at once.
    const again = await api.call('DELETE', '/v1/me', { token: account.token });
    expect(again.body).toMatchObject({ status: 401 });
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: account.username, password: PASSWORD },
    });
    expect(login.body.code).toBe('INVALID_CREDENTIALS');

    // Assess: the username and the phone start someone else's account at once
    const reused = await api.call('POST', '/v1/auth/register', {
      json: { username: account.username, password: 'another long passphrase 77' },
    });
    expect(reused.status).toBe(201);
    expect(reused.body.user.id).not.toBe(account.userId);
    clock.advance(61); // one SMS a minute per phone
    const sent = await api.call('POST', '/v1/auth/sms/send', { json: { phone: account.phone } });
    expect(sent.status).toBe(202);
    const phoneAgain = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: account.phone, code: latestCode(account.phone) },
    });
    expect(phoneAgain.body).toMatchObject({ isNewUser: true });
    expect(phoneAgain.body.user.id).not.toBe(account.userId);

    // Assess: the queue removed both Items at Plaid and in the table, and revoked at Apple
    const queue = await drain();
    const mine = queue.completed.filter((c) => c.work.userId === account.userId);
    expect(mine.map((c) => c.work.kind).sort()).toEqual([
      'apple-token',
      'audit-events',
      'plaid-item',
      'plaid-item',
    ]);
    expect(removedAtPlaid(account.items)).toEqual([true, true]);
    expect(await revocationsOf(account.appleSub)).toBe(1);
    const items = await api.call('GET', '/v1/plaid/items', { token: reused.body.access_token });
    expect(items.body.items).toEqual([]);

    // Assess: the Apple subject starts a new account too
    const apple = (await idp('/emulator/oidc/apple/id-token', { nonce: NONCE, sub: account.appleSub })) as {
      idToken: string;
      authorizationCode: string;
    };
    const signIn = await api.call('POST', '/v1/auth/social', {
      json: {
        provider: 'apple',
        ...apple,
        nonce: NONCE,
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        codeChallengeMethod: 'S256',
      },
    });
    expect(signIn.body.isNewUser).toBe(true);
  });

  it('retries through Plaid and Apple failing first, and leaves nothing billed', async () => {
    // Prepare
    const account = await fullAccount();
    await plaidControl(api, '/emulator/outage', { path: '/item/remove', times: 3 });
    await idp('/emulator/faults', { provider: 'apple', mode: 'error', times: 2 });

    // Act
    expect((await api.call('DELETE', '/v1/me', { token: account.token })).status).toBe(202);
    const queue = await drain();

    // Assess
    const mine = queue.completed.filter((c) => c.work.userId === account.userId);
    expect(mine).toHaveLength(4);
    const failures = mine.flatMap((c) => c.failures).filter((code) => code !== 'DELETION_NOT_READY');
    expect(failures.sort()).toEqual([
      'PLAID_REQUEST_FAILED',
      'PLAID_REQUEST_FAILED',
      'PLAID_REQUEST_FAILED',
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_UNAVAILABLE',
    ]);
    expect(queue.deadLetters.filter((d) => d.work.userId === account.userId)).toEqual([]);
    expect(removedAtPlaid(account.items)).toEqual([true, true]);
    expect(await revocationsOf(account.appleSub)).toBe(1);
  });

  it('is sensitive: a sign-in older than 10 minutes is 401 REAUTH_REQUIRED, and nothing is deleted', async () => {
    // Prepare
    const username = `old${Date.now()}`;
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
    });
    clock.advance(11 * 60);
    const refreshed = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: registered.body.refresh_token },
    });

    // Act
    const r = await api.call('DELETE', '/v1/me', { token: refreshed.body.access_token });

    // Assess
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('REAUTH_REQUIRED');
    expect((await api.call('GET', '/v1/me', { token: refreshed.body.access_token })).status).toBe(200);
  });

  it('dead-letters work Plaid keeps refusing, for the DLQ alarm, instead of losing it', async () => {
    // Prepare
    const username = `dlq${Date.now()}`;
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
    });
    const token = registered.body.access_token as string;
    const itemId = (await linkBank(api, token, 'ins_109510')).body.itemId as string;
    await plaidControl(api, '/emulator/outage', { path: '/item/remove', times: 50 });

    // Act
    expect((await api.call('DELETE', '/v1/me', { token })).status).toBe(202);
    const queue = await drain();
    await plaidControl(api, '/emulator/outage', { path: '/item/remove', times: 1 });

    // Assess
    const dead = queue.deadLetters.filter((d) => d.work.userId === registered.body.user.id);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 5, work: { kind: 'plaid-item', itemId } });
    expect(dead[0]?.failures.at(-1)).toBe('PLAID_REQUEST_FAILED');
    expect(removedAtPlaid([itemId])).toEqual([false]);
  });

  it('counts ITEM_NOT_FOUND at Plaid as done: an Item already removed is not retried', async () => {
    // Prepare
    const username = `gone${Date.now()}`;
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
    });
    const token = registered.body.access_token as string;
    const itemId = (await linkBank(api, token, 'ins_109511')).body.itemId as string;
    await plaidControl(api, '/emulator/outage', {
      path: '/item/remove',
      errorCode: 'ITEM_NOT_FOUND',
      times: 1,
    });

    // Act
    await api.call('DELETE', '/v1/me', { token });
    const queue = await drain();

    // Assess
    const mine = queue.completed.filter(
      (c) => c.work.userId === registered.body.user.id && c.work.kind === 'plaid-item',
    );
    expect(mine[0]?.failures.filter((code) => code !== 'DELETION_NOT_READY')).toEqual([]);
    expect(mine).toEqual([
      expect.objectContaining({ outcome: 'done', work: expect.objectContaining({ itemId }) }),
    ]);
  });
});

describe('Audit events of a deleted account', () => {
  /** Every audit event stored for `userId`, as stored (read from the table, not the API). */
  async function storedEvents(userId: string) {
    const { table } = await import('../../functions/composition/accounts');
    return table().queryAll({
      key: {
        expression: 'pk = :pk AND begins_with(sk, :events)',
        values: { ':pk': `USER#${userId}`, ':events': 'EVENT#' },
      },
      consistent: true,
    });
  }
  const CLIENT = { 'user-agent': 'LinkGuard/2.4 (iPhone15,2; iOS 17.4)', 'x-forwarded-for': '198.51.100.23' };
  const KEPT_DETAIL = [
    'method',
    'type',
    'reason',
    'by',
    'failures',
    'reauth',
    'allSessions',
    'fields',
    'bankLinks',
    'appleTokens',
  ];

  it('are kept pseudonymised: no IP address, user agent or phone label; a retry of the work changes nothing', async () => {
    // Prepare: a history with the client's IP address and user agent, and masked phone labels.
    const username = `pseudo${Date.now()}`;
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username, password: PASSWORD },
      headers: CLIENT,
    });
    const userId = registered.body.user.id as string;
    const token = registered.body.access_token as string;
    const [phone, newPhone] = [freshPhone(), freshPhone()];
    await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
    await api.call('POST', '/v1/me/identities/phone', {
      token,
      json: { phone, code: latestCode(phone) },
      headers: CLIENT,
    });
    await api.call('POST', '/v1/auth/sms/send', { json: { phone: newPhone } });
    const changed = await api.call('PUT', '/v1/me/phone', {
      token,
      json: { phone: newPhone, code: latestCode(newPhone) },
      headers: CLIENT,
    });
    expect(changed.status).toBe(200);
    await api.call('POST', '/v1/auth/login', {
      json: { username, password: 'a wrong password 000' },
      headers: CLIENT,
    });
    await api.call('POST', '/v1/auth/login', { json: { username, password: PASSWORD }, headers: CLIENT });
    const before = await storedEvents(userId);
    expect(
      before.filter((e) => e.ip === '198.51.100.23' && e.userAgent === CLIENT['user-agent']).length,
    ).toBeGreaterThan(3);
    expect(JSON.stringify(before)).toContain('****');

    // Act: delete the account; the queue does the rest.
    const deleted = await api.call('DELETE', '/v1/me', { token, headers: CLIENT });
    const queue = await drain();

    // Assess: every kept event, the deletion's own and the revocations' included, is pseudonymous.
    expect(deleted.status).toBe(202);
    const work = queue.completed.find((c) => c.work.userId === userId && c.work.kind === 'audit-events');
    expect(work?.outcome).toBe('done');
    const kept = await storedEvents(userId);
    expect(kept.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'account.registered',
        'phone.changed',
        'login.failed',
        'login.succeeded',
        'account.deleted',
        'session.revoked',
      ]),
    );
    for (const event of kept) {
      expect(event).toMatchObject({ userId, pseudonymised: true });
      expect(event.ip).toBeUndefined();
      expect(event.userAgent).toBeUndefined();
      for (const key of Object.keys((event.detail as object | undefined) ?? {}))
        expect(KEPT_DETAIL).toContain(key);
    }
    const text = JSON.stringify(kept);
    for (const personal of ['198.51.100.23', 'iPhone', '****', phone, newPhone, username])
      expect(text).not.toContain(personal);
    // Kept until the end of the same retention as before.
    for (const old of before) expect(kept.find((e) => e.id === old.id)?.expiresAt).toBe(old.expiresAt);

    // Assess: running the work again (a redelivery) finds nothing to do and changes nothing.
    const { performDeletionWorkUseCase } = await import('../../functions/composition/account-deletion');
    const again = await performDeletionWorkUseCase()({
      kind: 'audit-events',
      userId,
      requestedAt: new Date().toISOString(),
    });
    expect(again).toBe('already_done');
    expect(await storedEvents(userId)).toEqual(kept);
  });
});
