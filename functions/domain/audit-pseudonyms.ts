import type { AuditEvent } from './model';

/**
 * The `detail` keys an audit event keeps once its account is deleted: what happened, never who or
 * from where (`method`, `type`, `reason` are words from a fixed set; the rest are counts and
 * flags). Everything else — a masked phone label (`to`, `from`), any key a later event adds — is
 * dropped: a key is personal until it is listed here.
 */
const KEPT_DETAIL_KEYS: ReadonlySet<string> = new Set([
  'method',
  'type',
  'reason',
  'by',
  'failures',
  'reauth',
  'allSessions',
  'fields',
  'bankLinks',
  'appleTokens',
]);

/**
 * An audit event of a deleted account as it is kept for the rest of its retention: pseudonymous.
 * What stays links it to no person — the account's and session's random ids (with the profile and
 * identities gone, nothing maps them to anyone), the event type, its time, and the non-personal
 * detail keys; the client's IP address and user agent and every other detail are removed, not
 * hashed (a hash of an IPv4 address or a phone label is reversed by enumeration). Idempotent:
 * pseudonymising the result changes nothing.
 *
 * @example
 * pseudonymisedEvent({ id, userId, type: 'phone.changed', at, ip: '203.0.113.9', detail: { to: '+86 139****0000' } })
 * // { id, userId, type: 'phone.changed', at, pseudonymised: true }
 */
export function pseudonymisedEvent(event: AuditEvent): AuditEvent {
  const { ip: _ip, userAgent: _userAgent, detail, ...kept } = event;
  const keptDetail = Object.fromEntries(
    Object.entries(detail ?? {}).filter(([key]) => KEPT_DETAIL_KEYS.has(key)),
  );
  return {
    ...kept,
    ...(Object.keys(keptDetail).length === 0 ? {} : { detail: keptDetail }),
    pseudonymised: true,
  };
}
