import type { AuditEvent } from '../model';

/** The changes a profile update may carry; `null` removes a field. */
export interface ProfileChanges {
  displayName?: string;
  email?: string | null;
  notifications?: { sms?: boolean; email?: boolean };
  /** The alert-topic subscription handle; null removes it. A new or removed one is unconfirmed. */
  emailSubscription?: string | null;
}

/** The user's own settings. */
export interface ProfileStore {
  /**
   * Applies profile changes with their event. A changed or removed email, or a new or removed
   * subscription, is unconfirmed.
   * NOT_FOUND if the user does not exist.
   */
  update(input: { userId: string; changes: ProfileChanges; event: AuditEvent }): Promise<void>;
  /**
   * Marks the email confirmed, only while `subscription` is still the user's subscription (an
   * address changed meanwhile stays unconfirmed). False when it was not.
   */
  confirmEmail(input: { userId: string; subscription: string; event: AuditEvent }): Promise<boolean>;
}
