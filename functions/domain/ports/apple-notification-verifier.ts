/** One event of Sign in with Apple's server-to-server notifications. */
export interface AppleAccountEvent {
  type: 'email-disabled' | 'email-enabled' | 'consent-revoked' | 'account-delete';
  /** The Apple user (`sub`), as in their id_tokens. */
  subject: string;
  /** The relay (or real) address the email events concern. */
  email?: string;
}

/**
 * Verifies a notification's `payload` (a JWT signed with Apple's id_token keys, `aud` = one of our
 * client ids) and reads its `events`. Throws AppleNotificationRejectedError when it is not
 * Apple's or not for us, ProviderUnavailableError when Apple's keys cannot be fetched (Apple then
 * sends it again). Unknown event types come back as undefined: acknowledged, nothing done.
 */
export interface AppleNotificationVerifier {
  verify(payload: string): Promise<AppleAccountEvent | undefined>;
}
