import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SecretInvalidError } from '../domain/errors';

/** Where a single secret string (such as the SMS-code pepper) comes from. */
export interface SecretSource {
  load(): Promise<string>;
}

/** A secret string in Secrets Manager, read once per cold start. */
export class SecretsManagerSecretSource implements SecretSource {
  constructor(
    private readonly secretId: string,
    private readonly region?: string,
  ) {}

  async load(): Promise<string> {
    // Imported here so that functions which never read this secret never load the client.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient(this.region === undefined ? {} : { region: this.region });
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
 * The secret of a setting, read once on first use (a function that never needs it never reads it).
 *
 * @example
 * const plaidSecret = lazySecret(config.plaid.secret, config.region);
 * await plaidSecret();
 */
export function lazySecret(setting: SecretSetting, region?: string): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??=
      'value' in setting
        ? Promise.resolve(setting.value)
        : new SecretsManagerSecretSource(setting.secretId, region).load();
    return value;
  };
}

/** 256 random bits, base64url: the default for a generated local secret. */
const randomSecret = async () => randomBytes(32).toString('base64url');

/** A secret string in a local file, generated on first use. Local mode only (`.data/`, mode 0600). */
export class FileSecretSource implements SecretSource {
  constructor(
    private readonly path: string,
    private readonly generate: () => Promise<string> = randomSecret,
  ) {}

  async load(): Promise<string> {
    try {
      return (await readFile(this.path, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const value = await this.generate();
    try {
      await writeFile(this.path, `${value}\n`, { flag: 'wx', mode: 0o600 });
      return value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await readFile(this.path, 'utf8')).trim();
    }
  }
}
