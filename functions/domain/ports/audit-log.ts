import type { AuditEvent } from '../model';

/** A page of events, newest first. */
export interface EventPage {
  events: AuditEvent[];
  nextCursor?: string;
}

/** The account's audit history. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Newest first; events past their retention (TTL) are left out. A cursor this log did not hand
   * out is a VALIDATION_FAILED error.
   */
  list(userId: string, input: { limit: number; cursor?: string; now: Date }): Promise<EventPage>;
}
