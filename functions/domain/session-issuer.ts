import { addSeconds } from './clock';
import type { AuditEvent, AuditEventType, ClientInfo, SessionRecord, TokenGrant, UserView } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { TokenCrypto } from './ports/token-crypto';
import { formatRefreshToken, type SessionPolicy } from './session-policy';

/** A session not yet stored, with the only copy of its refresh token. */
export interface NewSession {
  session: SessionRecord;
  refreshToken: string;
}

/**
 * Makes a new session for `userId` at `now`: a fresh id, a 256-bit refresh secret whose hash is
 * all that is stored, idle and absolute expiry from the policy.
 */
export function newSession(
  deps: { crypto: TokenCrypto; sessionPolicy: SessionPolicy },
  userId: string,
  now: Date,
  client: ClientInfo,
): NewSession {
  const id = deps.crypto.newId('ses');
  const secret = deps.crypto.newSecret();
  const iso = now.toISOString();
  const session: SessionRecord = {
    id,
    userId,
    refreshHash: deps.crypto.hashSecret(secret),
    createdAt: iso,
    lastUsedAt: iso,
    idleExpiresAt: addSeconds(now, deps.sessionPolicy.idleSeconds).toISOString(),
    absoluteExpiresAt: addSeconds(now, deps.sessionPolicy.absoluteSeconds).toISOString(),
    ...clientFields(client),
  };
  return { session, refreshToken: formatRefreshToken({ userId, sessionId: id, secret }) };
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

/** Signs an access token for the session and packages the grant. */
export async function grantFor(
  signer: AccessTokenSigner,
  input: { userId: string; sessionId: string; refreshToken: string; user: UserView; now: Date },
): Promise<TokenGrant> {
  const { token, expiresIn } = await signer.sign({
    userId: input.userId,
    sessionId: input.sessionId,
    now: input.now,
  });
  return { accessToken: token, expiresIn, refreshToken: input.refreshToken, user: input.user };
}

function clientFields(client: ClientInfo): ClientInfo {
  return {
    ...(client.ip === undefined ? {} : { ip: client.ip }),
    ...(client.userAgent === undefined ? {} : { userAgent: client.userAgent.slice(0, 256) }),
  };
}
