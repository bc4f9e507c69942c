/** Email subscriptions to the alert topic, each filtered to one user's events. */
export interface EmailSubscriptions {
  /** Subscribes `email` to `userId`'s alerts; the provider asks the address to confirm. Returns a handle. */
  subscribe(email: string, userId: string): Promise<string>;
  unsubscribe(handle: string): Promise<void>;
  /** Whether the address followed the provider's confirmation link; only then does it get alerts. */
  isConfirmed(handle: string): Promise<boolean>;
}
