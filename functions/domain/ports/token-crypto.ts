/** Randomness and one-way hashing for tokens. */
export interface TokenCrypto {
  /** A new id with a readable prefix (`usr_…`, `ses_…`). */
  newId(prefix: string): string;
  /** A CSPRNG secret, base64url, of at least 256 bits. */
  newSecret(): string;
  /** One-way hash of a high-entropy secret (SHA-256, base64url). */
  hashSecret(secret: string): string;
  /** Constant-time comparison of two hashes. */
  sameHash(a: string, b: string): boolean;
}
