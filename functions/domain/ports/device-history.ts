/** The devices a user signed in from before: what tells a new one. */
export interface DeviceHistory {
  /**
   * Whether a session of `userId` started before `before` (an earlier `startedAt`, or the same
   * instant and a smaller id) — live, ended or revoked, as long as it is still stored — came
   * from the same `userAgent` (or, for a sign-in without one, also had none).
   */
  seenBefore(input: {
    userId: string;
    before: { sessionId: string; startedAt: string };
    userAgent: string | undefined;
  }): Promise<boolean>;
}
