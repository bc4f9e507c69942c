/** Signs short-lived access tokens. */
export interface AccessTokenSigner {
  sign(input: {
    userId: string;
    sessionId: string;
    now: Date;
  }): Promise<{ token: string; expiresIn: number }>;
}
