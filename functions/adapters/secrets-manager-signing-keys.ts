import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Lazy } from './lazy';
import { SecretsManagerSecretSource } from './secret-sources';
import { parseSigningKeySet, type SigningKeySet, type SigningKeySource } from './signing-keys';

/**
 * Signing keys in a Secrets Manager secret, read once per cold start. The stack's bootstrap
 * custom resource writes the first key; rotation prepends a new one (docs/deploying.md).
 */
export class SecretsManagerSigningKeySource implements SigningKeySource {
  constructor(
    private readonly secretId: string,
    private readonly client: Lazy<SecretsManagerClient>,
  ) {}

  async load(): Promise<SigningKeySet> {
    const text = await new SecretsManagerSecretSource(this.secretId, this.client).load();
    return parseSigningKeySet(text, 'the signing-key secret');
  }
}
