import { randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients';
import { EnvelopeTokenCipher, KmsKeyWrapper } from '../../functions/adapters/token-cipher';

const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const kmsClient = awsClients({ region: 'us-east-1' }).kms;

/**
 * A stand-in for KMS that behaves like it where it matters: a ciphertext opens only with the
 * encryption context it was made with (InvalidCiphertextException otherwise).
 */
function kmsThatChecksContext() {
  const sealed = new Map<string, { plaintext: Uint8Array; context: string }>();
  kms.on(EncryptCommand).callsFake((input: { Plaintext: Uint8Array; EncryptionContext?: object }) => {
    const blob = randomBytes(48);
    sealed.set(blob.toString('hex'), {
      plaintext: input.Plaintext,
      context: JSON.stringify(input.EncryptionContext ?? {}),
    });
    return { CiphertextBlob: new Uint8Array(blob), KeyId: KEY_ID };
  });
  kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext?: object }) => {
    const entry = sealed.get(Buffer.from(input.CiphertextBlob).toString('hex'));
    if (entry === undefined || entry.context !== JSON.stringify(input.EncryptionContext ?? {}))
      throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
    return { Plaintext: entry.plaintext, KeyId: KEY_ID };
  });
}

beforeEach(() => {
  kms.reset();
  kmsThatChecksContext();
});
afterAll(() => {
  kms.restore();
});

describe('Class: KmsKeyWrapper', () => {
  it('wraps a data key with the configured key and the item id as encryption context', async () => {
    // Prepare
    const wrapper = new KmsKeyWrapper(KEY_ID, kmsClient);
    const dataKey = randomBytes(32);

    // Act
    const wrapped = await wrapper.wrap(dataKey, 'item-1');

    // Assess
    const calls = kms.commandCalls(EncryptCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      KeyId: KEY_ID,
      Plaintext: dataKey,
      EncryptionContext: { itemId: 'item-1' },
    });
    expect(wrapped).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('unwraps with the same key and encryption context, and gets the data key back', async () => {
    // Prepare
    const wrapper = new KmsKeyWrapper(KEY_ID, kmsClient);
    const dataKey = randomBytes(32);
    const wrapped = await wrapper.wrap(dataKey, 'item-1');

    // Act
    const unwrapped = await wrapper.unwrap(wrapped, 'item-1');

    // Assess
    expect(unwrapped.equals(dataKey)).toBe(true);
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toMatchObject({
      KeyId: KEY_ID,
      EncryptionContext: { itemId: 'item-1' },
    });
  });

  it('fails to unwrap a data key under another item id', async () => {
    // Prepare
    const wrapper = new KmsKeyWrapper(KEY_ID, kmsClient);
    const wrapped = await wrapper.wrap(randomBytes(32), 'item-1');

    // Act
    const unwrapping = wrapper.unwrap(wrapped, 'item-2');

    // Assess
    await expect(unwrapping).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});

describe('Class: EnvelopeTokenCipher over KMS', () => {
  it('round-trips an access token, with one Encrypt per token', async () => {
    // Prepare
    const cipher = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));

    // Act
    const sealed = await cipher.encrypt('access-sandbox-secret-token', 'item-1');
    const opened = await new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient)).decrypt(
      sealed,
      'item-1',
    );

    // Assess
    expect(opened).toBe('access-sandbox-secret-token');
    expect(sealed).not.toContain('access-sandbox');
    expect(kms.commandCalls(EncryptCommand)).toHaveLength(1);
  });

  it('calls Decrypt once per Item per container, however often the Item is read', async () => {
    // Prepare
    const writer = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));
    const one = await writer.encrypt('token-one', 'item-1');
    const two = await writer.encrypt('token-two', 'item-2');
    const container = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));

    // Act
    const reads = [];
    for (let i = 0; i < 5; i++) {
      reads.push(await container.decrypt(one, 'item-1'), await container.decrypt(two, 'item-2'));
    }

    // Assess
    expect(new Set(reads)).toEqual(new Set(['token-one', 'token-two']));
    const decrypts = kms.commandCalls(DecryptCommand).map((c) => c.args[0].input.EncryptionContext);
    expect(decrypts).toEqual([{ itemId: 'item-1' }, { itemId: 'item-2' }]);
  });

  it('refuses a ciphertext moved to another Item, and does not cache the failure', async () => {
    // Prepare
    const writer = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));
    const sealed = await writer.encrypt('token-one', 'item-1');
    const container = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));

    // Act
    const moved = container.decrypt(sealed, 'item-2');

    // Assess
    await expect(moved).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    expect(await container.decrypt(sealed, 'item-1')).toBe('token-one');
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it('refuses a ciphertext moved to another Item even when its data key is already cached', async () => {
    // Prepare
    const container = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));
    const sealed = await container.encrypt('token-one', 'item-1');
    expect(await container.decrypt(sealed, 'item-1')).toBe('token-one');

    // Act
    const moved = container.decrypt(sealed, 'item-2');

    // Assess: the item id is the token's associated data too, so the cache cannot be used to skip KMS's check.
    await expect(moved).rejects.toThrow();
  });

  it('refuses a ciphertext whose sealed part is tampered with, after KMS unwrapped its key', async () => {
    // Prepare
    const cipher = new EnvelopeTokenCipher(new KmsKeyWrapper(KEY_ID, kmsClient));
    const sealed = await cipher.encrypt('token-one', 'item-1');
    const [version, wrapped, body] = sealed.split(':') as [string, string, string];
    const [iv, data, tag] = body.split('.') as [string, string, string];
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const tampered = `${version}:${wrapped}:${iv}.${flipped.toString('base64url')}.${tag}`;

    // Act
    const opening = cipher.decrypt(tampered, 'item-1');

    // Assess
    await expect(opening).rejects.toThrow();
  });
});
