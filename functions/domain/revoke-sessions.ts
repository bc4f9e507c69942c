import { pseudonymisedEvent } from './audit-pseudonyms';
import type { AuditEvent, ClientInfo, SessionRecord, SessionRevokeReason } from './model';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import { auditEvent } from './session-issuer';
import { isSessionLive } from './session-policy';

/**
 * Revokes each live session of a user that `which` selects, but `keep`, each with its
 * `session.revoked` event (and so onto the revocation list, in the same transaction). The one
 * way the use cases sign other sessions out: a password changed or reset, an identity unlinked,
 * an account deleted, Apple's consent withdrawn.
 */
export async function revokeLiveSessions(
  deps: { sessions: SessionStore; crypto: TokenCrypto },
  input: {
    userId: string;
    now: Date;
    reason: SessionRevokeReason;
    client?: ClientInfo;
    keep?: string;
    detail?: AuditEvent['detail'];
    which?: (session: SessionRecord) => boolean;
    /** The account is deleted: the events are written pseudonymised (`audit-pseudonyms.ts`). */
    pseudonymous?: boolean;
  },
): Promise<void> {
  const { userId, now, client, detail } = input;
  for (const session of await deps.sessions.listForUser(userId)) {
    if (session.id === input.keep || !isSessionLive(session, now)) continue;
    if (input.which !== undefined && !input.which(session)) continue;
    const event = auditEvent(deps.crypto, {
      userId,
      type: 'session.revoked',
      now,
      ...(client === undefined ? {} : { client }),
      sessionId: session.id,
      ...(detail === undefined ? {} : { detail }),
    });
    await deps.sessions.revoke({
      userId,
      sessionId: session.id,
      reason: input.reason,
      now,
      event: input.pseudonymous === true ? pseudonymisedEvent(event) : event,
    });
  }
}
