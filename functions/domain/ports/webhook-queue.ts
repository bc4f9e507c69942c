/** A verified Plaid webhook, waiting to be processed. */
export interface WebhookMessage {
  /** The Item it is about (the queue keeps one Item's webhooks in order and apart from others'). */
  itemId: string;
  /** Plaid's body, exactly as received. */
  body: string;
  /** The signature's `iat`, ISO 8601. */
  issuedAt: string;
}

/** Verified webhooks, handed from the receiver (which answers Plaid at once) to the processor. */
export interface WebhookQueue {
  enqueue(message: WebhookMessage): Promise<void>;
}
