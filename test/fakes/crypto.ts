import { createHash } from 'node:crypto';
import { nodeTokenCrypto } from '../../functions/adapters/node-token-crypto';
import { CiphertextInvalidError } from '../../functions/domain/errors';
import type { AccessTokenCipher } from '../../functions/domain/ports/access-token-cipher';
import type { AccessTokenSigner } from '../../functions/domain/ports/access-token-signer';
import type { OtpCrypto } from '../../functions/domain/ports/otp-crypto';
import type { CommonPasswordList, PasswordHasher } from '../../functions/domain/ports/passwords';
import type { TokenCrypto } from '../../functions/domain/ports/token-crypto';

/**
 * {@link TokenCrypto} with predictable output: ids `usr_1`, `ses_2`, … and secrets `secret-1`, …
 * Hashes are real SHA-256, so a test can compute the hash of a token it holds.
 */
export class SequentialTokenCrypto implements TokenCrypto {
  private counter = 0;

  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  newSecret(): string {
    this.counter += 1;
    return `secret-${this.counter}`;
  }

  hashSecret(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('base64url');
  }

  tag(key: string, message: string): string {
    return nodeTokenCrypto.tag(key, message);
  }

  seal(secret: string, plaintext: string, context: string): string {
    return nodeTokenCrypto.seal(secret, plaintext, context);
  }

  open(secret: string, box: string, context: string): string | undefined {
    return nodeTokenCrypto.open(secret, box, context);
  }

  sameHash(a: string, b: string): boolean {
    return a === b;
  }
}

/** {@link PasswordHasher} without the cost: `hashed:<password>`. Counts what it did. */
export class FakePasswordHasher implements PasswordHasher {
  readonly calls = { hash: 0, verify: 0, dummy: 0 };

  async hash(password: string): Promise<string> {
    this.calls.hash += 1;
    return `hashed:${password}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.calls.verify += 1;
    return hash === `hashed:${password}`;
  }

  async verifyAgainstDummy(_password: string): Promise<false> {
    this.calls.dummy += 1;
    return false;
  }
}

/** {@link CommonPasswordList} over the passwords given. */
export class InMemoryCommonPasswordList implements CommonPasswordList {
  private readonly passwords: Set<string>;

  constructor(passwords: Iterable<string> = ['password', '123456789', 'qwertyuiop']) {
    this.passwords = new Set(passwords);
  }

  async contains(password: string): Promise<boolean> {
    return this.passwords.has(password.toLowerCase());
  }
}

/** {@link AccessTokenSigner} that records what it signed: `access:<userId>:<sessionId>`. */
export class FakeAccessTokenSigner implements AccessTokenSigner {
  readonly signed: { userId: string; sessionId: string; now: Date }[] = [];

  constructor(private readonly expiresIn = 900) {}

  async sign(input: { userId: string; sessionId: string; now: Date }) {
    this.signed.push({ ...input });
    return { token: `access:${input.userId}:${input.sessionId}`, expiresIn: this.expiresIn };
  }
}

/** {@link OtpCrypto} whose codes the test chooses (`nextCodes`), `000001`, `000002`, … otherwise. */
export class FakeOtpCrypto implements OtpCrypto {
  readonly nextCodes: string[] = [];
  private counter = 0;

  newCode(): string {
    this.counter += 1;
    return this.nextCodes.shift() ?? String(this.counter).padStart(6, '0');
  }

  async hashCode(phone: string, code: string): Promise<string> {
    return `otp:${phone}:${code}`;
  }
}

/** {@link AccessTokenCipher} that is reversible and bound to the item id, like the real one. */
export class FakeAccessTokenCipher implements AccessTokenCipher {
  decrypts = 0;

  async encrypt(accessToken: string, itemId: string): Promise<string> {
    return `sealed:${itemId}:${Buffer.from(accessToken, 'utf8').toString('base64url')}`;
  }

  async decrypt(ciphertext: string, itemId: string): Promise<string> {
    this.decrypts += 1;
    const prefix = `sealed:${itemId}:`;
    if (!ciphertext.startsWith(prefix)) throw new CiphertextInvalidError('Unknown token ciphertext.');
    return Buffer.from(ciphertext.slice(prefix.length), 'base64url').toString('utf8');
  }
}
