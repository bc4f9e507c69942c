import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../domain/ports/passwords';
import { lazy } from './lazy';

/** argon2id cost parameters. OWASP's minimum is m=19456 KiB, t=2, p=1. */
export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

// `Algorithm.Argon2id` is a const enum, which isolated modules cannot import.
const ARGON2ID = 2;

// Imported on first use: the native module ships beside the bundle (`bundling.nodeModules`),
// and a static import would make every function that bundles this file load it at cold start.
const loadArgon2 = lazy(() => import('@node-rs/argon2'));

/**
 * argon2id through the native `@node-rs/argon2`. Hashes are PHC strings that carry their own
 * parameters, so raising the cost later still verifies old hashes.
 *
 * @example
 * const hasher = new Argon2PasswordHasher(OWASP_ARGON2ID);
 * const phc = await hasher.hash('correct horse battery staple');
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly dummyHash = lazy(() => this.hash(randomBytes(24).toString('base64url')));

  constructor(private readonly parameters: Argon2Parameters) {}

  async hash(password: string): Promise<string> {
    const argon2 = await loadArgon2();
    return argon2.hash(password, { algorithm: ARGON2ID, ...this.parameters });
  }

  async verify(phc: string, password: string): Promise<boolean> {
    const argon2 = await loadArgon2();
    try {
      return await argon2.verify(phc, password);
    } catch {
      // A corrupt stored hash is a failed sign-in, not a 500 that tells the two apart.
      return false;
    }
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    // Same parameters as real hashes, so an unknown username costs what a known one does.
    await this.verify(await this.dummyHash(), password);
    return false;
  }
}
