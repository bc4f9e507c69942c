import type { SecurityNotice } from '../security-notices';

/**
 * Tells the user about a change to their account's security, after the change is written: a
 * text to the phone in the notice and an event on the alert topic, once each per audit event.
 * Best effort by contract: it never rejects, because the change it reports is already committed
 * and must stand; a notice that could not be sent is logged and counted by the implementation.
 */
export type SecurityNotifier = (notice: SecurityNotice) => Promise<void>;
