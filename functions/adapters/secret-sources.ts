import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretInvalidError } from '../domain/errors';
import { type Lazy, lazy } from './lazy';

/** Where a single secret string (such as the SMS-code pepper) comes from. */
export interface SecretSource {
  load(): Promise<string>;
}

/** A secret string in Secrets Manager, through the container's one client. */
export class SecretsManagerSecretSource implements SecretSource {
  constructor(
    private readonly secretId: string,
    private readonly client: Lazy<SecretsManagerClient>,
  ) {}

  async load(): Promise<string> {
    // Imported here so that functions which never read this secret never load the SDK module.
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = await this.client();
    const result = await client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const value = result.SecretString ?? '';
    // Plaid's secrets are 30 characters; anything much shorter is a placeholder left in place.
    if (value.length < 16)
      throw new SecretInvalidError(`Secret ${this.secretId} is shorter than 16 characters.`);
    return value;
  }
}

/** A secret as config names it: a Secrets Manager secret in AWS, the value itself locally. */
export type SecretSetting = { secretId: string } | { value: string };

/**
 * The secret of a setting, read on first use (a function that never needs it never reads it)
 * and kept once read; a failed read is tried again by the next caller ({@link lazy}).
 *
 * @example
 * const plaidSecret = lazySecret(config.plaid.secret, clients.secretsManager);
 * await plaidSecret();
 */
export function lazySecret(setting: SecretSetting, client: Lazy<SecretsManagerClient>): Lazy<string> {
  if ('value' in setting) {
    const { value } = setting;
    return async () => value;
  }
  const source = new SecretsManagerSecretSource(setting.secretId, client);
  return lazy(() => source.load());
}

export { FileSecretSource } from './file-secret-source';
