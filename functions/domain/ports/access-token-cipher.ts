/** Encrypts Plaid access tokens at rest, bound to their item id. */
export interface AccessTokenCipher {
  encrypt(accessToken: string, itemId: string): Promise<string>;
  /** Fails with CIPHERTEXT_INVALID when the ciphertext is not one of ours for this item id. */
  decrypt(ciphertext: string, itemId: string): Promise<string>;
}
