import { epochSeconds } from '../../domain/clock';
import type { AuditEvent, IdentityRecord, SessionRecord, UserRecord } from '../../domain/model';
import { sessionExpiresAt } from '../../domain/session-policy';
import { keys } from './keys';

/** Records become items here, with their keys, entity name and TTL. */

export function userItem(user: UserRecord): Record<string, unknown> {
  return { ...keys.user(user.id), ...keys.userByOwner(user.id), entity: 'user', ...user };
}

export function identityItem(identity: IdentityRecord): Record<string, unknown> {
  return {
    ...keys.identity(identity.type, identity.subject),
    ...keys.identityByOwner(identity.userId, identity.type),
    entity: 'identity',
    ...identity,
  };
}

export function sessionItem(session: SessionRecord): Record<string, unknown> {
  return {
    ...keys.session(session.id),
    ...keys.sessionByOwner(session.userId, session.createdAt, session.id),
    entity: 'session',
    ...session,
    expiresAt: epochSeconds(sessionExpiresAt(session)),
  };
}

export function auditEventItem(event: AuditEvent, retentionSeconds: number): Record<string, unknown> {
  return {
    ...keys.event(event.userId, event.at, event.id),
    entity: 'event',
    ...event,
    expiresAt: epochSeconds(new Date(event.at)) + retentionSeconds,
  };
}
