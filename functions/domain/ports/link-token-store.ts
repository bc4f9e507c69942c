/** Who opened Link with a link token, remembered while the token lives. */
export interface LinkTokenOwner {
  userId: string;
  /** When the link token expires (ISO). */
  expiresAt: string;
}

/**
 * Which user created which new-link token, so that a public token is only ever redeemed by the
 * user whose Link session produced it (issue 10, finding 7). Tokens are kept by their SHA-256.
 */
export interface LinkTokenStore {
  /** Remembers that `userId` created the link token whose hash is `tokenHash`, until `expiresAt`. */
  remember(tokenHash: string, owner: LinkTokenOwner): Promise<void>;
  /** Who created it; undefined if unknown or expired at `now`. */
  ownerOf(tokenHash: string, now: Date): Promise<LinkTokenOwner | undefined>;
}
