import { FileSecretSource } from '../adapters/secret-sources';
import { EnvelopeTokenCipher, KmsKeyWrapper, LocalKeyWrapper } from '../adapters/token-cipher';
import type { AccessTokenCipher } from '../domain/ports/access-token-cipher';
import { aws } from './aws';
import { memo } from './runtime';

const cipher = () =>
  memo('tokenCipher', ({ config }) => {
    const key = config.tokenKey;
    return new EnvelopeTokenCipher(
      key.source === 'kms'
        ? new KmsKeyWrapper(key.keyId, aws().kms)
        : new LocalKeyWrapper(new FileSecretSource(key.path)),
    );
  });

/**
 * The envelope cipher of third-party tokens (Plaid access tokens, Apple refresh tokens), built on
 * first use: a function that never encrypts or decrypts must not need its configuration.
 */
export const tokenCipher: AccessTokenCipher = {
  encrypt: async (token, context) => cipher().encrypt(token, context),
  decrypt: async (ciphertext, context) => cipher().decrypt(ciphertext, context),
};
