import { DynamoIdentityStore } from '../adapters/dynamo/identity-store';
import { DynamoSocialIdentityStore } from '../adapters/dynamo/social-identity-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { JoseAppleNotificationVerifier } from '../adapters/providers/apple-notification-verifier';
import { receiveAppleNotification } from '../domain/apple-notifications';
import { ProviderNotConfiguredError } from '../domain/errors';
import { sessions, table, users } from './accounts';
import { updateProfileUseCase } from './identities';
import { currentRuntime, memo } from './runtime';

/** Apple's notifications, verified against Apple's JWKS for our client ids; 503 without Apple set up. */
const verifier = () =>
  memo('appleNotificationVerifier', ({ config }) => {
    const { apple, timeoutMs, jwksCooldownMs } = config.providers;
    if (apple === undefined) throw new ProviderNotConfiguredError('Apple');
    return new JoseAppleNotificationVerifier({ ...apple, timeoutMs, jwksCooldownMs });
  });

/** `POST /v1/apple/notifications`. */
export const receiveAppleNotificationUseCase = () => {
  const { clock, config } = currentRuntime();
  const updateProfile = updateProfileUseCase();
  return receiveAppleNotification({
    clock,
    crypto: nodeTokenCrypto,
    verifier: { verify: (payload) => verifier().verify(payload) },
    identities: memo(
      'socialIdentities',
      () => new DynamoSocialIdentityStore(table(), config.eventRetentionSeconds),
    ),
    unlinker: memo('identities', () => new DynamoIdentityStore(table(), config.eventRetentionSeconds)),
    users: users(),
    sessions: sessions(),
    setEmailDelivery: async (userId, on) => {
      await updateProfile(userId, { notifications: { email: on } }, {});
    },
  });
};
