/**
 * Remembers single-use third-party credentials (OIDC id_tokens) until they expire, so that each
 * is accepted once.
 */
export interface UsedCredentialStore {
  /**
   * Marks `key` used until `expiresAt`, in one conditional write. False if it was already used
   * and has not expired at `now`: a replay.
   */
  claim(input: { key: string; expiresAt: Date; now: Date }): Promise<boolean>;
}
