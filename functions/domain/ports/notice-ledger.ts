/** The channels a security notice goes out on; each is exactly-once on its own. */
export type NoticeChannel = 'sms' | 'topic';

/** Exactly-once bookkeeping of security notices, keyed by the audit event that caused them. */
export interface NoticeLedger {
  /**
   * Claims the notice of `eventId` on `channel`; false if it was sent, or another attempt holds a
   * claim newer than `staleBefore` (a crashed sender's claim may be taken over).
   */
  claim(input: {
    eventId: string;
    channel: NoticeChannel;
    claimId: string;
    now: Date;
    staleBefore: Date;
  }): Promise<boolean>;
  /** Marks a claimed notice sent (only if the claim is still ours). */
  complete(input: { eventId: string; channel: NoticeChannel; claimId: string; now: Date }): Promise<void>;
  /** Gives a claim back after a failed send, so a retry sends it. A claim not ours is left alone. */
  release(input: { eventId: string; channel: NoticeChannel; claimId: string }): Promise<void>;
}
