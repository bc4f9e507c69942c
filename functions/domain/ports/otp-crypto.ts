/** Makes one-time codes and their keyed hashes (HMAC with a secret pepper). */
export interface OtpCrypto {
  /** Six digits from a CSPRNG. */
  newCode(): string;
  /** Keyed hash of a code, bound to the phone it was sent to. */
  hashCode(phone: string, code: string): Promise<string>;
}
