import { DynamoSocialIdentityStore } from '../adapters/dynamo/social-identity-store';
import { DynamoUsedCredentialStore } from '../adapters/dynamo/used-credential-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { AppleTokenClient } from '../adapters/providers/apple-tokens';
import { ProviderRouter } from '../adapters/providers/identity-providers';
import { OidcVerifier } from '../adapters/providers/oidc';
import { QqVerifier } from '../adapters/providers/qq';
import { WeChatVerifier } from '../adapters/providers/wechat';
import { lazySecret } from '../adapters/secret-sources';
import type { AppleTokenDeps } from '../domain/provider-tokens';
import { singleUseCredentials } from '../domain/single-use-credentials';
import { linkSocialIdentity, startSocialSignIn } from '../domain/social-sign-in';
import { table, users } from './accounts';
import { authorizationCodes as codes } from './authorization-codes';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';
import { notifyUser } from './security-notices';
import { tokenCipher } from './token-cipher';

/**
 * The four providers' verifiers, each only if configured; an Apple or Google id_token is
 * accepted once (its use is remembered in the table until it expires).
 */
export const providers = () =>
  memo('providers', ({ config, clock }) => {
    const { timeoutMs, jwksCooldownMs, wechat, qq, apple, google } = config.providers;
    const router = new ProviderRouter({
      ...(wechat === undefined
        ? {}
        : {
            wechat: new WeChatVerifier({
              baseUrl: wechat.baseUrl,
              appId: wechat.appId,
              timeoutMs,
              appSecret: lazySecret(wechat.appSecret, aws().secretsManager),
            }),
          }),
      ...(qq === undefined ? {} : { qq: new QqVerifier({ ...qq, timeoutMs }) }),
      ...(apple === undefined
        ? {}
        : { apple: new OidcVerifier({ provider: 'apple', ...apple, timeoutMs, jwksCooldownMs }) }),
      ...(google === undefined
        ? {}
        : { google: new OidcVerifier({ provider: 'google', ...google, timeoutMs, jwksCooldownMs }) }),
    });
    return singleUseCredentials(router, { used: new DynamoUsedCredentialStore(table()), clock });
  });

/** Apple's token endpoints, signed with our Apple key; undefined when no key is configured. */
export const appleTokens = () =>
  memo('appleTokens', ({ config, clock }): AppleTokenDeps | undefined => {
    const key = config.appleKey;
    if (key === undefined) return undefined;
    return {
      tokens: new AppleTokenClient({
        baseUrl: key.baseUrl,
        teamId: key.teamId,
        keyId: key.keyId,
        privateKey: lazySecret(key.privateKey, aws().secretsManager),
        timeoutMs: config.providers.timeoutMs,
        now: () => clock.now(),
      }),
      cipher: tokenCipher,
    };
  });

const apple = (): { apple?: AppleTokenDeps } => {
  const deps = appleTokens();
  return deps === undefined ? {} : { apple: deps };
};

/** Third-party identities by provider subject. */
export const socialIdentities = () =>
  memo(
    'socialIdentities',
    ({ config }) => new DynamoSocialIdentityStore(table(), config.eventRetentionSeconds),
  );

/** `POST /v1/auth/social`. */
export const startSocialSignInUseCase = () =>
  startSocialSignIn({
    clock: currentRuntime().clock,
    crypto: nodeTokenCrypto,
    providers: providers(),
    identities: socialIdentities(),
    codes: codes(),
    ...apple(),
  });

/** `POST /v1/me/identities/social`. */
export const linkSocialIdentityUseCase = () =>
  linkSocialIdentity({
    clock: currentRuntime().clock,
    crypto: nodeTokenCrypto,
    providers: providers(),
    identities: socialIdentities(),
    users: users(),
    notify: notifyUser,
    ...apple(),
  });
