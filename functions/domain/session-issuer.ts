import { addSeconds } from './clock';
import type { AppError } from './errors';
import {
  type AuditEvent,
  type AuditEventType,
  type ClientInfo,
  type IdentityType,
  type RefreshGrant,
  type SessionRecord,
  type SessionStarter,
  type SignInRecord,
  type TokenGrant,
  toUserView,
  type UserView,
} from './model';
import { seenBefore } from './new-device-notice';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { TokenCrypto } from './ports/token-crypto';
import type { DeviceSeen, UserDirectory } from './ports/user-directory';
import { familyToken, type SessionPolicy } from './session-policy';

/** A session not yet stored, with the only copy of its refresh token. */
export interface NewSession {
  session: SessionRecord;
  refreshToken: string;
}

/**
 * Makes a new session for `userId` at `now`: a fresh id, a 256-bit refresh secret whose hash is
 * all that is stored (generation 0 of a new token family), idle and absolute expiry from the policy.
 */
export function newSession(
  deps: { crypto: TokenCrypto; sessionPolicy: SessionPolicy },
  userId: string,
  now: Date,
  client: ClientInfo,
  startedBy?: SessionStarter,
): NewSession {
  const id = deps.crypto.newId('ses');
  const secret = deps.crypto.newSecret();
  const familyKey = deps.crypto.newSecret();
  const iso = now.toISOString();
  const session: SessionRecord = {
    id,
    userId,
    refreshHash: deps.crypto.hashSecret(secret),
    generation: 0,
    familyKey,
    createdAt: iso,
    authTime: iso,
    lastUsedAt: iso,
    idleExpiresAt: addSeconds(now, deps.sessionPolicy.idleSeconds).toISOString(),
    absoluteExpiresAt: addSeconds(now, deps.sessionPolicy.absoluteSeconds).toISOString(),
    ...(startedBy === undefined ? {} : { startedBy }),
    ...clientFields(client),
  };
  return {
    session,
    refreshToken: familyToken(deps.crypto, { userId, sessionId: id, generation: 0, familyKey }, secret),
  };
}

/**
 * The identity a sign-in proved, as a session records it: the type and a hash of the subject.
 *
 * @example
 * sessionStarter(crypto, 'phone', '+8613800138000') // { type: 'phone', subjectHash: '…' }
 */
export function sessionStarter(crypto: TokenCrypto, type: IdentityType, subject: string): SessionStarter {
  return { type, subjectHash: crypto.hashSecret(`${type}#${subject}`) };
}

/** An audit event of `type` for `userId` at `now`. */
export function auditEvent(
  crypto: TokenCrypto,
  input: {
    userId: string;
    type: AuditEventType;
    now: Date;
    client?: ClientInfo;
    sessionId?: string;
    detail?: AuditEvent['detail'];
  },
): AuditEvent {
  return {
    id: crypto.newId('evt'),
    userId: input.userId,
    type: input.type,
    at: input.now.toISOString(),
    ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
    ...clientFields(input.client ?? {}),
    ...(input.detail === undefined ? {} : { detail: input.detail }),
  };
}

/** A session about to be stored, with the event that records how it started. */
export interface SessionStart extends NewSession {
  event: AuditEvent;
}

/**
 * Starts a session for a sign-in: the session, and its `login.succeeded` event (or
 * `account.registered`, for a new user) naming the way in. The caller stores both in one write.
 *
 * @example
 * const started = startSession(deps, { userId, now, client }, { method: 'sms' });
 */
export function startSession(
  deps: { crypto: TokenCrypto; sessionPolicy: SessionPolicy },
  at: { userId: string; now: Date; client: ClientInfo },
  way: { method: string; newUser?: boolean; startedBy?: SessionStarter | undefined },
): SessionStart {
  const { session, refreshToken } = newSession(deps, at.userId, at.now, at.client, way.startedBy);
  const event = auditEvent(deps.crypto, {
    ...at,
    type: way.newUser === true ? 'account.registered' : 'login.succeeded',
    sessionId: session.id,
    detail: { method: way.method },
  });
  return { session, refreshToken, event };
}

/**
 * Grants a stored session: signs its access token and packages it with the user as the API shows
 * them, read from the directory (`missing` is thrown if the user is gone) unless given. A session
 * started with its event ({@link SessionStart}) also carries the sign-in's record (`signIn`), for
 * the new-device notice.
 */
export async function grantSession(
  deps: { signer: AccessTokenSigner; users?: UserDirectory },
  started: NewSession & { event?: AuditEvent },
  input: { user: UserView; devices?: readonly DeviceSeen[] | undefined } | { missing: () => AppError },
): Promise<TokenGrant> {
  let user: UserView;
  let devices: readonly DeviceSeen[] | undefined;
  if ('user' in input) {
    user = input.user;
    devices = input.devices;
  } else {
    // The one read the answer needs also brings the sessions: the new-device check costs none.
    const found = await deps.users?.getUserForSignIn(started.session.userId);
    if (found === undefined) throw input.missing();
    user = toUserView(found.user, found.identities);
    devices = found.devices;
  }
  const grant = await grantFor(deps.signer, {
    userId: started.session.userId,
    sessionId: started.session.id,
    refreshToken: started.refreshToken,
    user,
    now: new Date(started.session.createdAt),
    authTime: authTimeOf(started.session),
  });
  if (started.event === undefined) return grant;
  const signIn = signInRecord(started.session, started.event);
  return {
    ...grant,
    signIn: devices === undefined ? signIn : { ...signIn, seenBefore: seenBefore(devices, signIn) },
  };
}

/** The record of a sign-in that started `session` with `event`. */
export function signInRecord(session: SessionRecord, event: AuditEvent): SignInRecord {
  return {
    sessionId: session.id,
    startedAt: session.createdAt,
    eventId: event.id,
    ...(session.userAgent === undefined ? {} : { userAgent: session.userAgent }),
    isNewUser: event.type === 'account.registered',
  };
}

/** When the user last proved a way in on `session` (its start, for sessions older than the field). */
export function authTimeOf(session: Pick<SessionRecord, 'authTime' | 'createdAt'>): Date {
  return new Date(session.authTime ?? session.createdAt);
}

/** Signs an access token for the session and packages the grant. */
export async function grantFor(
  signer: AccessTokenSigner,
  input: {
    userId: string;
    sessionId: string;
    refreshToken: string;
    user: UserView;
    now: Date;
    authTime: Date;
  },
): Promise<TokenGrant> {
  return { ...(await refreshGrantFor(signer, input)), user: input.user };
}

/** Signs an access token for the session and packages it with the refresh token (no user). */
export async function refreshGrantFor(
  signer: AccessTokenSigner,
  input: { userId: string; sessionId: string; refreshToken: string; now: Date; authTime: Date },
): Promise<RefreshGrant> {
  const { token, expiresIn } = await signer.sign({
    userId: input.userId,
    sessionId: input.sessionId,
    now: input.now,
    authTime: input.authTime,
  });
  return { accessToken: token, expiresIn, refreshToken: input.refreshToken };
}

function clientFields(client: ClientInfo): ClientInfo {
  return {
    ...(client.ip === undefined ? {} : { ip: client.ip }),
    ...(client.userAgent === undefined ? {} : { userAgent: client.userAgent.slice(0, 256) }),
  };
}
