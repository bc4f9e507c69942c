import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { appleServer } from './apple';
import { type EmulatorHandler, type EmulatorRequest, serveEmulator, token } from './http-kit';

/** The app ids and secrets the emulators accept; the local runtime configures the API with them. */
export const EMULATED_APPS = {
  wechat: { appId: 'wx-linkguard-local', appSecret: 'local-wechat-app-secret' },
  qq: { appId: '101000001' },
  apple: { issuer: 'https://appleid.apple.com', clientId: 'com.linkguard.app' },
  google: { issuer: 'https://accounts.google.com', clientId: 'linkguard-local.apps.googleusercontent.com' },
} as const;

type Fault = 'timeout' | 'error' | undefined;
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
type Provider = 'wechat' | 'qq' | 'apple' | 'google';

interface SocialUser {
  openId: string;
  unionId?: string;
  nickname: string;
  avatarUrl: string;
}

/**
 * WeChat, QQ and OIDC (Apple, Google) emulators on one port, speaking each provider's real
 * paths and JSON — WeChat's HTTP-200 `errcode` errors, QQ's `client_id` and `ret` — plus the
 * mint endpoints tests and the README use to produce what a mobile SDK would, a key-rotation
 * endpoint for the OIDC JWKS, and a fault knob (`timeout`, `error`) per provider.
 *
 * @example
 * const emulator = await startProviderEmulator({ port: 3002 });
 */
export async function startProviderEmulator(
  options: { port?: number; host?: string; now?: () => Date } = {},
) {
  const now = options.now ?? (() => new Date());
  const faults = new Map<Provider, { mode: Fault; remaining: number }>();
  const wechatUsers = new Map<string, SocialUser>();
  const wechatCodes = new Map<string, string>();
  const wechatTokens = new Map<string, string>();
  const qqUsers = new Map<string, SocialUser & { clientId: string }>();
  const qqTokens = new Map<string, string>();
  const oidcKeys: Record<'apple' | 'google', { kid: string; privateKey: SigningKey; publicJwk: JWK }[]> = {
    apple: [await newKey('apple')],
    google: [await newKey('google')],
  };

  const faulty = async (provider: Provider) => {
    const fault = faults.get(provider);
    if (fault === undefined || fault.mode === undefined) return undefined;
    // A fault with a count answers that many calls, then the provider works again.
    if (--fault.remaining <= 0) faults.delete(provider);
    if (fault.mode === 'timeout') await new Promise((r) => setTimeout(r, 10_000));
    return { status: 503, body: { error: 'service unavailable' } };
  };
  const apple = await appleServer({
    clientId: EMULATED_APPS.apple.clientId,
    issuer: EMULATED_APPS.apple.issuer,
    now,
    signingKey: () => oidcKeys.apple[0] as { kid: string; privateKey: SigningKey },
    faulty: () => faulty('apple'),
  });
  const wechatError = (errcode: number, errmsg: string) => ({ status: 200, body: { errcode, errmsg } });

  const wechat: EmulatorHandler = async ({ method, path, query, body }) => {
    if (method === 'POST' && path === '/emulator/wechat/users') {
      const user: SocialUser = {
        openId: `o${token(12)}`,
        nickname: String(body.nickname ?? 'WeChat User'),
        avatarUrl: String(body.avatarUrl ?? 'https://thirdwx.qlogo.cn/mmopen/emulated/132'),
        ...(body.unionId === false ? {} : { unionId: `u${token(12)}` }),
      };
      wechatUsers.set(user.openId, user);
      return { status: 201, body: issueWeChat(user) };
    }
    const again = /^\/emulator\/wechat\/users\/([^/]+)\/login$/.exec(path);
    if (method === 'POST' && again?.[1] !== undefined) {
      const user = wechatUsers.get(again[1]);
      return user === undefined
        ? { status: 404, body: { error: 'no such user' } }
        : { status: 200, body: issueWeChat(user) };
    }
    if (!path.startsWith('/sns/')) return undefined;
    const down = await faulty('wechat');
    if (down) return down;
    if (path === '/sns/oauth2/access_token') {
      if (query.get('appid') !== EMULATED_APPS.wechat.appId) return wechatError(40013, 'invalid appid');
      if (query.get('secret') !== EMULATED_APPS.wechat.appSecret)
        return wechatError(40125, 'invalid appsecret');
      const openId = wechatCodes.get(query.get('code') ?? '');
      if (openId === undefined) return wechatError(40029, 'invalid code');
      wechatCodes.delete(query.get('code') ?? '');
      const user = wechatUsers.get(openId) as SocialUser;
      const accessToken = token();
      wechatTokens.set(accessToken, openId);
      return {
        status: 200,
        body: {
          access_token: accessToken,
          expires_in: 7200,
          refresh_token: token(),
          openid: openId,
          scope: 'snsapi_userinfo',
          ...(user.unionId === undefined ? {} : { unionid: user.unionId }),
        },
      };
    }
    const owner = wechatTokens.get(query.get('access_token') ?? '');
    if (owner === undefined)
      return wechatError(40001, 'invalid credential, access_token is invalid or not latest');
    if (owner !== query.get('openid')) return wechatError(40003, 'invalid openid');
    if (path === '/sns/auth') return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    if (path === '/sns/userinfo') {
      const user = wechatUsers.get(owner) as SocialUser;
      return {
        status: 200,
        body: {
          openid: user.openId,
          nickname: user.nickname,
          sex: 0,
          province: '',
          city: '',
          country: 'CN',
          headimgurl: user.avatarUrl,
          privilege: [],
          ...(user.unionId === undefined ? {} : { unionid: user.unionId }),
        },
      };
    }
    return undefined;
  };

  function issueWeChat(user: SocialUser) {
    const code = token(16);
    wechatCodes.set(code, user.openId);
    const accessToken = token();
    wechatTokens.set(accessToken, user.openId);
    return {
      code,
      accessToken,
      openId: user.openId,
      ...(user.unionId === undefined ? {} : { unionId: user.unionId }),
    };
  }

  const qq: EmulatorHandler = async ({ method, path, query, body }) => {
    if (method === 'POST' && path === '/emulator/qq/users') {
      const user = {
        openId: token(16).toUpperCase(),
        unionId: `UID_${token(12)}`,
        nickname: String(body.nickname ?? 'QQ User'),
        avatarUrl: String(body.avatarUrl ?? 'https://thirdqq.qlogo.cn/emulated/100'),
        clientId: String(body.clientId ?? EMULATED_APPS.qq.appId),
      };
      qqUsers.set(user.openId, user);
      const accessToken = token();
      qqTokens.set(accessToken, user.openId);
      return { status: 201, body: { accessToken, openId: user.openId, unionId: user.unionId } };
    }
    const again = /^\/emulator\/qq\/users\/([^/]+)\/login$/.exec(path);
    if (method === 'POST' && again?.[1] !== undefined) {
      if (!qqUsers.has(again[1])) return { status: 404, body: { error: 'no such user' } };
      const accessToken = token();
      qqTokens.set(accessToken, again[1]);
      return { status: 200, body: { accessToken, openId: again[1] } };
    }
    if (path !== '/oauth2.0/me' && path !== '/user/get_user_info') return undefined;
    const down = await faulty('qq');
    if (down) return down;
    const openId = qqTokens.get(query.get('access_token') ?? '');
    const user = openId === undefined ? undefined : qqUsers.get(openId);
    if (path === '/oauth2.0/me') {
      if (user === undefined)
        return { status: 200, body: { error: 100016, error_description: 'access token check failed' } };
      return {
        status: 200,
        body: {
          client_id: user.clientId,
          openid: user.openId,
          ...(query.get('unionid') === '1' ? { unionid: user.unionId } : {}),
        },
      };
    }
    if (user === undefined || query.get('openid') !== user.openId) {
      return { status: 200, body: { ret: 100016, msg: 'access token check failed' } };
    }
    if (query.get('oauth_consumer_key') !== user.clientId)
      return { status: 200, body: { ret: 100008, msg: 'client_id mismatch' } };
    return {
      status: 200,
      body: {
        ret: 0,
        msg: '',
        nickname: user.nickname,
        figureurl_qq_1: user.avatarUrl.replace(/\/100$/, '/40'),
        figureurl_qq_2: user.avatarUrl,
        gender: '未知',
      },
    };
  };

  const oidc: EmulatorHandler = async ({ method, path, body }: EmulatorRequest) => {
    const match = /^\/(?:emulator\/)?oidc\/(apple|google)\/([a-z-]+)$/.exec(path);
    if (match === null) return undefined;
    const provider = match[1] as 'apple' | 'google';
    const action = match[2];
    if (method === 'GET' && action === 'jwks') {
      const down = await faulty(provider);
      if (down) return down;
      return { status: 200, body: { keys: oidcKeys[provider].map((k) => k.publicJwk) } };
    }
    if (method === 'POST' && action === 'rotate-key') {
      oidcKeys[provider].unshift(await newKey(provider));
      return { status: 200, body: { kid: oidcKeys[provider][0]?.kid } };
    }
    if (method === 'POST' && action === 'id-token') {
      if (typeof body.nonce !== 'string' || body.nonce === '')
        return { status: 400, body: { error: 'nonce (raw) is required' } };
      const key = oidcKeys[provider][0] as { kid: string; privateKey: SigningKey };
      const app = EMULATED_APPS[provider];
      const sub = String(body.sub ?? `${provider === 'apple' ? '001234.' : '1'}${token(10)}`);
      const issuedAt = Math.floor(now().getTime() / 1000);
      const idToken = await new SignJWT({
        nonce: createHash('sha256').update(body.nonce).digest('hex'),
        // Google's id_tokens carry a jti; Apple's do not (the API then tells tokens apart by iat and nonce).
        ...(provider === 'google' ? { jti: crypto.randomUUID() } : {}),
        ...(body.email === undefined ? {} : { email: body.email, email_verified: true }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.picture === undefined ? {} : { picture: body.picture }),
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(String(body.issuer ?? app.issuer))
        .setAudience(String(body.audience ?? app.clientId))
        .setSubject(sub)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + Number(body.expiresIn ?? 600))
        .sign(key.privateKey);
      if (provider === 'google') return { status: 201, body: { idToken, sub } };
      // Apple's SDK hands the app an authorization code beside the id_token.
      const email = typeof body.email === 'string' ? body.email : undefined;
      return { status: 201, body: { idToken, authorizationCode: apple.authorizationCode(sub, email), sub } };
    }
    return undefined;
  };

  const control: EmulatorHandler = ({ method, path, body }) => {
    if (method !== 'POST' || path !== '/emulator/faults') return undefined;
    const provider = body.provider as Provider;
    const mode = body.mode === 'timeout' || body.mode === 'error' ? body.mode : undefined;
    const times = typeof body.times === 'number' && body.times > 0 ? body.times : Number.POSITIVE_INFINITY;
    if (mode === undefined) faults.delete(provider);
    else faults.set(provider, { mode, remaining: times });
    return {
      status: 200,
      body: { provider, mode: mode ?? 'none', ...(mode && Number.isFinite(times) ? { times } : {}) },
    };
  };

  const served = await serveEmulator([control, wechat, qq, apple.handler, oidc], options);
  return {
    ...served,
    /** Apple's server side: revocations seen, and where its notifications go. */
    apple: { revocations: apple.revocations, setNotificationUrl: apple.setNotificationUrl },
    /** The environment that points the API at this emulator. */
    environment: (): Record<string, string> => ({
      WECHAT_BASE_URL: served.url,
      WECHAT_APP_ID: EMULATED_APPS.wechat.appId,
      WECHAT_APP_SECRET: EMULATED_APPS.wechat.appSecret,
      QQ_BASE_URL: served.url,
      QQ_APP_ID: EMULATED_APPS.qq.appId,
      APPLE_JWKS_URL: `${served.url}/oidc/apple/jwks`,
      APPLE_CLIENT_IDS: EMULATED_APPS.apple.clientId,
      ...apple.environment(served.url),
      GOOGLE_JWKS_URL: `${served.url}/oidc/google/jwks`,
      GOOGLE_CLIENT_IDS: EMULATED_APPS.google.clientId,
    }),
  };
}

async function newKey(provider: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `${provider}-${token(6)}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}
