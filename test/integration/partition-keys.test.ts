import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteId, routeList } from '../../functions/api/routes';
import { SECURITY_NOTICE_LEDGER } from '../../functions/manifest/capabilities';
import { backgroundDeployments, deployedRoutes } from '../../functions/manifest/function-manifest';
import { currentFunction } from '../../local/function-scope';
import { phoneUser, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * The partition keys each route's table calls really use, recorded from the document client while
 * a journey runs through every route that has the table, checked against the `dynamodb:LeadingKeys`
 * its manifest entry grants (test/cdk/leading-keys.test.ts checks the template says the same). A
 * prefix missing from the manifest would fail every such call in AWS, where IAM applies.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
/** Real time, but movable: a second code to one phone needs the 60 s resend wait to pass. */
const clock = new ManualClock(new Date());
const used = new Map<RouteId, Set<string>>();
let recording: string[] = [];
/** What the authorizer read, over the whole journey. */
const authorizerKeys: string[] = [];

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const PKCE = { codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256' };

/** Every partition key of one table call: its key or item, each item of a batch or transaction. */
function partitionKeysOf(input: Record<string, unknown>): string[] {
  const found: string[] = [];
  const take = (record: unknown) => {
    const pk = (record as { pk?: unknown } | undefined)?.pk;
    if (typeof pk === 'string') found.push(pk);
  };
  take(input.Key);
  take(input.Item);
  for (const entry of (input.TransactItems as Record<string, { Key?: unknown; Item?: unknown }>[]) ?? []) {
    for (const operation of Object.values(entry)) {
      take(operation.Key);
      take(operation.Item);
    }
  }
  for (const request of Object.values((input.RequestItems as Record<string, { Keys?: unknown[] }>) ?? {})) {
    for (const key of request.Keys ?? []) take(key);
  }
  // A query on the table (not an index) names its partition key in the key condition.
  if (typeof input.KeyConditionExpression === 'string' && input.IndexName === undefined) {
    const placeholder = /(?:#\w+|\bpk)\s*=\s*(:\w+)/.exec(input.KeyConditionExpression)?.[1];
    const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
    if (placeholder !== undefined) take({ pk: values?.[placeholder] });
  }
  return found;
}

const prefixOf = (pk: string) => `${pk.split('#')[0]}#`;

function routeOf(method: string, path: string): RouteId {
  const route = routeList.find(
    (r) =>
      r.method === method &&
      new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0] ?? path),
  );
  if (route === undefined) throw new Error(`no route for ${method} ${path}`);
  return route.id;
}

/** One request, its table calls put down to its route (requests here run one at a time). */
async function call(
  method: string,
  path: string,
  options: Parameters<typeof api.call>[2] = {},
): ReturnType<typeof api.call> {
  recording = [];
  const response = await api.call(method, path, options);
  const id = routeOf(method, path);
  const seen = used.get(id) ?? new Set<string>();
  for (const pk of recording) seen.add(prefixOf(pk));
  used.set(id, seen);
  return response;
}

beforeAll(async () => {
  api = await startTestApi({ providers: true, plaid: {}, clock });
  // Plaid's own webhooks would run beside the journey's requests; the journey posts one itself.
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
  const { table } = await import('../../functions/composition/accounts');
  table().client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const keys = partitionKeysOf(input);
      // The authorizer runs in front of the route, in the same process: its revocation-list read
      // (a BatchGetItem of REVOKED# keys only) is its own, not the route's.
      const authorizers =
        'RequestItems' in input && keys.length > 0 && keys.every((k) => k.startsWith('REVOKED#'));
      // The webhook worker is no route: what it does in the background belongs to no request.
      if (currentFunction() !== 'plaid-webhook-worker')
        (authorizers ? authorizerKeys : recording).push(...keys);
      return next(args);
    },
    { step: 'initialize', name: 'partitionKeyRecorder' },
  );
}, 120_000);
afterAll(async () => {
  await api.close();
});

describe('Partition keys used ⊆ partition keys granted', () => {
  it('holds for every route along a journey through all of them', async () => {
    // Accounts: passwords, lockout, refresh, sessions, history.
    const username = `keys${Date.now()}`;
    const password = 'a long and unusual passphrase 42';
    const registered = await call('POST', '/v1/auth/register', { json: { username, password } });
    let token = registered.body.access_token as string;
    await call('POST', '/v1/auth/login', { json: { username, password: 'wrong password 123' } });
    await call('POST', '/v1/auth/login', {
      json: { username: `${username}x`, password: 'wrong password 123' },
    });
    const login = await call('POST', '/v1/auth/login', { json: { username, password } });
    await call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: login.body.refresh_token },
    });
    await call('GET', '/v1/me', { token });
    const sessions = await call('GET', '/v1/me/sessions', { token });
    const other =
      sessions.body.sessions.find((s: { current?: boolean }) => !s.current) ?? sessions.body.sessions[0];
    await call('GET', '/v1/me/events', { token });
    await call('PATCH', '/v1/me', { token, json: { displayName: 'Keys', email: 'keys@example.com' } });
    await call('POST', '/v1/auth/reauth', { token, json: { password } });
    await call('PUT', '/v1/me/password', {
      token,
      json: { currentPassword: password, password: 'another long passphrase 43' },
    });

    // Phones: send, verify (a new account), link to the first account, unlink.
    const newPhone = '+8613900139001';
    await call('POST', '/v1/auth/sms/send', { json: { phone: newPhone } });
    await call('POST', '/v1/auth/sms/verify', { json: { phone: newPhone, code: latestCode(newPhone) } });
    const phone = '+8613900139000';
    await call('POST', '/v1/auth/sms/send', { json: { phone } });
    await call('POST', '/v1/me/identities/phone', { token, json: { phone, code: latestCode(phone) } });
    const changedPhone = '+8613900139002';
    await call('POST', '/v1/auth/sms/send', { json: { phone: changedPhone } });
    await call('PUT', '/v1/me/phone', {
      token,
      json: { phone: changedPhone, code: latestCode(changedPhone) },
    });
    // A password reset by SMS signs out every other session: go on with the session it starts.
    clock.advance(61);
    await call('POST', '/v1/auth/sms/send', { json: { phone: changedPhone } });
    const reset = await call('POST', '/v1/auth/password/reset', {
      json: { phone: changedPhone, code: latestCode(changedPhone), password: 'a third long passphrase 44' },
    });
    token = reset.body.access_token as string;
    await call('DELETE', '/v1/me/identities/phone', { token });
    // A reset link by email (the address is unconfirmed: nothing is mailed), and a made-up one.
    await call('POST', '/v1/auth/password/reset/email', { json: { username } });
    await call('POST', '/v1/auth/password/reset/email/complete', {
      json: { token: `usr_nobody.${'x'.repeat(43)}`, password: 'a fourth long passphrase 45' },
    });

    // Third parties: sign in with WeChat, exchange the code, link Google.
    const emulator = async (path: string, body: unknown = {}) =>
      (await (
        await fetch(`${api.providers?.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;
    const wechat = await emulator('/emulator/wechat/users');
    const social = await call('POST', '/v1/auth/social', {
      json: { ...PKCE, provider: 'wechat', code: wechat.code },
    });
    await call('POST', '/v1/oauth/token', {
      json: { grant_type: 'authorization_code', code: social.body.code, code_verifier: VERIFIER },
    });
    const google = await emulator('/emulator/oidc/google/id-token', { nonce: 'nonce-1234567890' });
    await call('POST', '/v1/me/identities/social', {
      token,
      json: { provider: 'google', idToken: google.idToken, nonce: 'nonce-1234567890' },
    });

    // Bank links: link, list, read, break, webhook, update mode, repair, history, remove.
    const user = await phoneUser(api, latestCode);
    const link = await call('POST', '/v1/plaid/link-token', { token: user.token });
    const done = await plaidControl(api, '/emulator/link/complete', { linkToken: link.body.linkToken });
    const linked = await call('POST', '/v1/plaid/items', {
      token: user.token,
      json: { publicToken: done.body.publicToken, linkToken: link.body.linkToken },
    });
    const itemId = linked.body.itemId as string;
    await call('GET', '/v1/plaid/items', { token: user.token });
    await call('GET', `/v1/plaid/items/${itemId}`, { token: user.token });
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await api.plaid?.webhooksSettled();
    const webhook = [...(api.plaid?.webhooks() ?? [])]
      .reverse()
      .find((w) => w.itemId === itemId && w.webhookCode === 'ERROR');
    await call('POST', '/v1/plaid/webhook', {
      body: webhook?.body as string,
      headers: { 'content-type': 'application/json', 'plaid-verification': webhook?.verification as string },
    });
    await api.webhooks.drain();
    const update = await call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: user.token });
    await plaidControl(api, '/emulator/link/complete', { linkToken: update.body.linkToken });
    await call('POST', `/v1/plaid/items/${itemId}/repair`, { token: user.token });
    await call('GET', `/v1/plaid/items/${itemId}/events`, { token: user.token });
    await call('DELETE', `/v1/plaid/items/${itemId}`, { token: user.token });
    await call('GET', '/v1/me/export', { token: user.token });
    await call('DELETE', '/v1/me', { token: user.token });

    // Apple: sign in, then Apple's server-to-server notification (the emulator signs and posts it).
    const apple = await emulator('/emulator/oidc/apple/id-token', { nonce: 'nonce-1234567890' });
    await call('POST', '/v1/auth/social', {
      json: {
        ...PKCE,
        provider: 'apple',
        idToken: apple.idToken,
        nonce: 'nonce-1234567890',
        authorizationCode: apple.authorizationCode,
      },
    });
    recording = [];
    await emulator('/emulator/oidc/apple/notify', { sub: apple.sub, type: 'consent-revoked' });
    used.set('appleNotifications', new Set(recording.map(prefixOf)));

    // Last, what ends sessions.
    await call('DELETE', `/v1/me/sessions/${other.id}`, { token });
    await call('POST', '/v1/auth/logout', { token, json: { all: true } });
    // A held SMS sign-in's follow-up (a made-up challenge: its lookup is the table call).
    await call('POST', '/v1/auth/sms/reverify', { json: { challenge: 'x'.repeat(43), newAccount: true } });

    // Assess: each route stayed within its grant, and the journey reached every table route.
    for (const route of deployedRoutes) {
      const granted = [
        ...(route.capabilities.table?.partitionKeys ?? []),
        ...(route.capabilities.securityNotices === 'send' ? SECURITY_NOTICE_LEDGER.partitionKeys : []),
      ];
      const seen = [...(used.get(route.id) ?? [])];
      expect({ route: route.id, outside: seen.filter((p) => !granted.includes(p as never)) }).toEqual({
        route: route.id,
        outside: [],
      });
    }
    // The authorizer read the revocation list, and nothing else.
    expect(authorizerKeys.length).toBeGreaterThan(0);
    expect([...new Set(authorizerKeys.map(prefixOf))]).toEqual(
      backgroundDeployments.authorizer.capabilities.table.partitionKeys,
    );
    // Every route with table actions was seen using the table, but those that only query an index.
    const indexOnly: RouteId[] = ['me', 'listSessions', 'plaidListItems'];
    const unseen = deployedRoutes
      .filter((r) => r.capabilities.table !== undefined && !indexOnly.includes(r.id))
      .filter((r) => (used.get(r.id)?.size ?? 0) === 0)
      .map((r) => r.id);
    expect(unseen).toEqual([]);
  }, 180_000);
});
