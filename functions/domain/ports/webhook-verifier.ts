/** Checks a Plaid webhook's signature. */
export interface WebhookVerifier {
  /** The JWT's issue time; fails with INVALID_WEBHOOK_SIGNATURE when the webhook is not Plaid's. */
  verify(token: string | undefined, rawBody: string, now: Date): Promise<{ issuedAt: Date }>;
}
