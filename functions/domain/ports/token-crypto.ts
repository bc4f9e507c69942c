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
  /**
   * A 128-bit keyed tag of `message` (HMAC-SHA-256, base64url): proves a refresh token of a family
   * was issued by us, without storing it.
   */
  tag(key: string, message: string): string;
  /**
   * Encrypts `plaintext` under a key derived from `secret` (AES-256-GCM, `context` authenticated):
   * only a holder of `secret` can read it back.
   */
  seal(secret: string, plaintext: string, context: string): string;
  /** Reads back what {@link TokenCrypto.seal} sealed; undefined for a wrong secret, context or box. */
  open(secret: string, box: string, context: string): string | undefined;
}
