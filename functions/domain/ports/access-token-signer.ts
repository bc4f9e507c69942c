/** Signs short-lived access tokens. */
export interface AccessTokenSigner {
  sign(input: {
    userId: string;
    sessionId: string;
    now: Date;
    /** When the user last proved a way in on the session: the `auth_time` claim. */
    authTime: Date;
  }): Promise<{ token: string; expiresIn: number }>;
}
