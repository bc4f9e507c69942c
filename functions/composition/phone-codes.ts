import { DynamoSmsCodeStore } from '../adapters/dynamo/sms-code-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { HmacOtpCrypto } from '../adapters/otp-crypto';
import { FileSecretSource, SecretsManagerSecretSource } from '../adapters/secret-sources';
import { table, users } from './accounts';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';

/**
 * What every use of an SMS code needs, kept apart from `identities.ts` so that functions that
 * only check a code (re-authentication, password routes) do not bundle the rest.
 */

/** The keyed hash for SMS codes; its pepper is read once per cold start. */
export const otp = () =>
  memo('otp', ({ config }) => {
    const pepper = config.smsPepper;
    return new HmacOtpCrypto(
      pepper.source === 'file'
        ? new FileSecretSource(pepper.path)
        : new SecretsManagerSecretSource(pepper.secretId, aws().secretsManager),
    );
  });

/** The SMS codes and send limits. */
export const codes = () => memo('codes', () => new DynamoSmsCodeStore(table()));

/** The clock, ids and user directory every identity use case takes. */
export const identityDeps = () => {
  const { clock } = currentRuntime();
  return { clock, crypto: nodeTokenCrypto, users: users() };
};
