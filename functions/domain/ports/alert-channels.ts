/** What an alert on the topic is about. */
export type AlertEventType =
  | 'item.needs_action'
  | 'item.reminder'
  | 'item.restored'
  /** A reminder before a known deadline: consent expiry or a pending disconnect. */
  | 'item.deadline'
  /** No new data for days while Plaid reports no error. */
  | 'item.stale'
  /** A neutral one-off notice (a revocation the user made on purpose). */
  | 'item.notice'
  /** The institution's outage that touched the Item is over. */
  | 'item.institution_back'
  /** A change to the account's security (sign-in on a new device, password, ways in, phone, deletion). */
  | 'security.notice'
  /**
   * A password-reset link for the user's confirmed email. It carries a secret: a consumer of the
   * topic other than the user's own email subscription must filter this type out.
   */
  | 'account.recovery';

/** Where alerts go: the user's phone, and the alert topic (email and other subscribers). */
export interface AlertChannels {
  sendSms(input: { phone: string; message: string }): Promise<void>;
  publishEvent(input: {
    eventType: AlertEventType;
    userId: string;
    /** The bank link the alert is about; absent for account notices. */
    itemId?: string;
    subject: string;
    message: string;
  }): Promise<void>;
}
