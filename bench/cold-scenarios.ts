import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routes } from '../functions/api/routes';
import type { HttpEvent } from '../functions/http/types';

/**
 * For each function, one real request for a cold container to serve, and the set-up that makes
 * it succeed (a user, a session, a texted code, a linked bank…), done beforehand through the
 * local API. Each scenario is prepared again for every fresh process, so none reuses a consumed
 * code, token or Item.
 */

/** The local API and emulators the set-up goes through. */
export interface Fixture {
  call(
    method: string,
    path: string,
    options?: { json?: unknown; token?: string },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  plaid(path: string, body?: unknown): Promise<Record<string, unknown>>;
  provider(path: string, body?: unknown): Promise<Record<string, unknown>>;
  latestSms(phone: string): string;
  /** The last webhook the Plaid emulator sent for an Item, with its signature. */
  lastWebhook(itemId: string): Promise<{ body: string; verification: string }>;
}

/** What the fresh process is given: the event, and the status a good answer has. */
export interface ColdRequest {
  kind: 'http' | 'authorizer';
  event: unknown;
  expectStatus: number;
}

type Route = (typeof routes)[keyof typeof routes];
type Auth = { userId: string; sessionId: string; authTime: number };

const PASSWORD = 'purple-otter-bakes-42';
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;
const freshPhone = () =>
  `+86138${String(Date.now() % 100000).padStart(5, '0')}${String(counter++ % 1000).padStart(3, '0')}`.slice(
    0,
    14,
  );

/** `sub`, `sid` and `auth_time` of an access token: what the authorizer would hand the function. */
function authOf(accessToken: string): Auth {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
    sub: string;
    sid: string;
    auth_time: number;
  };
  return { userId: payload.sub, sessionId: payload.sid, authTime: payload.auth_time };
}

/** An API Gateway HTTP API (payload 2.0) event, as `local/api-server.ts` builds one. */
export function httpEvent(
  route: Route,
  input: {
    json?: unknown;
    form?: Record<string, string>;
    raw?: { body: string; headers: Record<string, string> };
    params?: Record<string, string>;
    auth?: Auth;
  } = {},
): HttpEvent {
  const now = new Date();
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => input.params?.[name] ?? '');
  const body =
    input.raw?.body ??
    (input.json !== undefined
      ? JSON.stringify(input.json)
      : input.form !== undefined
        ? new URLSearchParams(input.form).toString()
        : undefined);
  const contentType =
    input.json !== undefined
      ? 'application/json'
      : input.form !== undefined
        ? 'application/x-www-form-urlencoded'
        : undefined;
  const headers: Record<string, string> = {
    host: 'localhost',
    'user-agent': 'linkguard-bench/1.0',
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
    ...(input.raw?.headers ?? {}),
  };
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    ...(input.params === undefined ? {} : { pathParameters: input.params }),
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'linkguard-bench/1.0',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(input.auth === undefined ? {} : { authorizer: { lambda: { ...input.auth } } }),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  } as HttpEvent;
}

const http = (route: Route, input: Parameters<typeof httpEvent>[1] = {}): ColdRequest => ({
  kind: 'http',
  event: httpEvent(route, input),
  expectStatus: route.success.status,
});

/** A new password user, signed in: its tokens and the authorizer's verdict. */
async function newUser(f: Fixture) {
  const username = `cold_${unique()}`;
  const r = await f.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } });
  if (r.status !== 201) throw new Error(`set-up register answered ${r.status}`);
  const token = r.body.access_token as string;
  return { username, token, refreshToken: r.body.refresh_token as string, auth: authOf(token) };
}

/** A user with a bank linked through the Plaid emulator. */
async function userWithItem(f: Fixture) {
  const user = await newUser(f);
  const link = await f.call('POST', '/v1/plaid/link-token', { token: user.token });
  const done = await f.plaid('/emulator/link/complete', {
    linkToken: link.body.linkToken,
    institutionId: 'ins_109508',
  });
  const item = await f.call('POST', '/v1/plaid/items', {
    token: user.token,
    json: { publicToken: done.publicToken, linkToken: link.body.linkToken },
  });
  if (item.status !== 201) throw new Error(`set-up link answered ${item.status}`);
  return { ...user, itemId: item.body.itemId as string };
}

async function textedCode(f: Fixture) {
  const phone = freshPhone();
  await f.call('POST', '/v1/auth/sms/send', { json: { phone } });
  return { phone, code: f.latestSms(phone) };
}

/** A new password user with a verified phone. */
async function userWithPhone(f: Fixture) {
  const user = await newUser(f);
  const texted = await textedCode(f);
  const linked = await f.call('POST', '/v1/me/identities/phone', { token: user.token, json: texted });
  if (linked.status !== 201) throw new Error(`set-up phone link answered ${linked.status}`);
  return { ...user, phone: texted.phone };
}

/**
 * An Apple server-to-server notification as the Apple emulator signs it, caught on its way: the
 * emulator posts it to a URL of ours, which keeps the body instead of passing it on.
 */
async function signedAppleNotification(f: Fixture): Promise<string> {
  let caught = '';
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      caught = body;
      response.end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  try {
    await f.provider('/emulator/oidc/apple/notify', {
      sub: `cold.${unique()}`,
      type: 'email-disabled',
      url: `http://127.0.0.1:${port}/`,
    });
  } finally {
    server.close();
  }
  if (caught === '') throw new Error('the Apple emulator sent no notification');
  return caught;
}

/** The request each function serves cold, by function (handler file) name. */
export const COLD_SCENARIOS: Record<string, (f: Fixture) => Promise<ColdRequest>> = {
  register: async () => http(routes.register, { json: { username: `cold_${unique()}`, password: PASSWORD } }),
  login: async (f) => {
    const { username } = await newUser(f);
    return http(routes.login, { json: { username, password: PASSWORD } });
  },
  'oauth-token': async (f) => {
    const { refreshToken } = await newUser(f);
    return http(routes.token, { form: { grant_type: 'refresh_token', refresh_token: refreshToken } });
  },
  logout: async (f) => http(routes.logout, { auth: (await newUser(f)).auth }),
  me: async (f) => http(routes.me, { auth: (await newUser(f)).auth }),
  'sessions-list': async (f) => http(routes.listSessions, { auth: (await newUser(f)).auth }),
  'session-delete': async (f) => {
    const { auth } = await newUser(f);
    return http(routes.deleteSession, { auth, params: { sessionId: auth.sessionId } });
  },
  'events-list': async (f) => http(routes.listEvents, { auth: (await newUser(f)).auth }),
  'sms-send': async () => http(routes.smsSend, { json: { phone: freshPhone() } }),
  'sms-verify': async (f) => http(routes.smsVerify, { json: await textedCode(f) }),
  'social-sign-in': async (f) => {
    const { idToken } = await f.provider('/emulator/oidc/google/id-token', { nonce: 'nonce-1234567890' });
    return http(routes.social, {
      json: {
        provider: 'google',
        idToken,
        nonce: 'nonce-1234567890',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        codeChallengeMethod: 'S256',
      },
    });
  },
  'me-identity-social': async (f) => {
    const { auth } = await newUser(f);
    const { idToken } = await f.provider('/emulator/oidc/google/id-token', { nonce: 'nonce-1234567890' });
    return http(routes.linkSocial, {
      auth,
      json: { provider: 'google', idToken, nonce: 'nonce-1234567890' },
    });
  },
  'me-update': async (f) =>
    http(routes.updateMe, { auth: (await newUser(f)).auth, json: { displayName: 'Cold Start' } }),
  'me-password': async (f) =>
    http(routes.setPassword, {
      auth: (await newUser(f)).auth,
      json: { password: 'another-otter-bakes-43', currentPassword: PASSWORD },
    }),
  'me-identity-phone': async (f) => {
    const { auth } = await newUser(f);
    return http(routes.linkPhone, { auth, json: await textedCode(f) });
  },
  'me-identity-delete': async (f) => {
    const user = await newUser(f);
    const texted = await textedCode(f);
    await f.call('POST', '/v1/me/identities/phone', { token: user.token, json: texted });
    return http(routes.unlinkIdentity, { auth: user.auth, params: { type: 'phone' } });
  },
  reauth: async (f) => http(routes.reauth, { auth: (await newUser(f)).auth, json: { password: PASSWORD } }),
  // A held sign-in needs an account dormant for 180 days, which a shared clock cannot fake here:
  // the cold request presents an unknown challenge (one table read, then 401 INVALID_CODE).
  'sms-reverify': async () => ({
    ...http(routes.smsReverify, { json: { challenge: `cold-${unique()}`, newAccount: true } }),
    expectStatus: 401,
  }),
  'me-phone': async (f) => {
    const { auth } = await userWithPhone(f);
    return http(routes.changePhone, { auth, json: await textedCode(f) });
  },
  // A second code to one phone within a minute is refused (the resend limit), and the phone's
  // link spent the first: the cold request presents a wrong code (the code read, then 401).
  'password-reset': async (f) => {
    const { phone } = await userWithPhone(f);
    return {
      ...http(routes.passwordReset, { json: { phone, code: '000000', password: 'another-otter-bakes-43' } }),
      expectStatus: 401,
    };
  },
  // Always 202, whether or not the account has a confirmed email to mail the link to.
  'password-reset-email': async (f) =>
    http(routes.passwordResetEmail, { json: { username: (await newUser(f)).username } }),
  // A link's secret is mailed to a confirmed address, which a bench user has not: the cold
  // request presents a made-up link (its store read, then 401 INVALID_LINK).
  'password-reset-link': async (f) => {
    const { auth } = await newUser(f);
    return {
      ...http(routes.passwordResetLink, {
        json: { token: `${auth.userId}.${'x'.repeat(43)}`, password: 'another-otter-bakes-43' },
      }),
      expectStatus: 401,
    };
  },
  'me-delete': async (f) => http(routes.deleteMe, { auth: (await newUser(f)).auth }),
  'me-export': async (f) => http(routes.exportMe, { auth: (await userWithItem(f)).auth }),
  'apple-notifications': async (f) =>
    http(routes.appleNotifications, {
      raw: { body: await signedAppleNotification(f), headers: { 'content-type': 'application/json' } },
    }),
  'plaid-link-token': async (f) => http(routes.plaidLinkToken, { auth: (await newUser(f)).auth }),
  'plaid-items-create': async (f) => {
    const user = await newUser(f);
    const link = await f.call('POST', '/v1/plaid/link-token', { token: user.token });
    const done = await f.plaid('/emulator/link/complete', {
      linkToken: link.body.linkToken,
      institutionId: 'ins_109508',
    });
    return http(routes.plaidLinkItem, {
      auth: user.auth,
      json: { publicToken: done.publicToken, linkToken: link.body.linkToken },
    });
  },
  'plaid-items-list': async (f) => http(routes.plaidListItems, { auth: (await userWithItem(f)).auth }),
  'plaid-item-get': async (f) => {
    const { auth, itemId } = await userWithItem(f);
    return http(routes.plaidGetItem, { auth, params: { itemId } });
  },
  'plaid-item-link-token': async (f) => {
    const { auth, itemId } = await userWithItem(f);
    return http(routes.plaidUpdateLinkToken, { auth, params: { itemId } });
  },
  'plaid-item-repair': async (f) => {
    const { auth, itemId } = await userWithItem(f);
    return http(routes.plaidRepairItem, { auth, params: { itemId } });
  },
  'plaid-item-events': async (f) => {
    const { auth, itemId } = await userWithItem(f);
    return http(routes.plaidItemEvents, { auth, params: { itemId } });
  },
  'plaid-item-delete': async (f) => {
    const { auth, itemId } = await userWithItem(f);
    return http(routes.plaidRemoveItem, { auth, params: { itemId } });
  },
  'plaid-webhook': async (f) => {
    const { itemId } = await userWithItem(f);
    await f.plaid(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const { body, verification } = await f.lastWebhook(itemId);
    return http(routes.plaidWebhook, {
      raw: { body, headers: { 'content-type': 'application/json', 'plaid-verification': verification } },
    });
  },
  jwks: async () => http(routes.jwks),
  openapi: async () => http(routes.openapi),
  authorizer: async (f) => {
    const { token } = await newUser(f);
    const base = httpEvent(routes.me);
    return {
      kind: 'authorizer',
      expectStatus: 200,
      event: {
        version: '2.0',
        type: 'REQUEST',
        routeArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET/v1/me',
        identitySource: [`Bearer ${token}`],
        routeKey: base.routeKey,
        rawPath: base.rawPath,
        rawQueryString: '',
        headers: { authorization: `Bearer ${token}`, 'user-agent': 'linkguard-bench/1.0' },
        requestContext: base.requestContext,
      },
    };
  },
  bare: async () => ({
    kind: 'http',
    expectStatus: 404,
    event: { ...httpEvent(routes.me), pathParameters: { id: `missing-${unique()}` } },
  }),
};
