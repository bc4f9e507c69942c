import { addSeconds, type Clock } from './clock';
import { normalizeUsername } from './credentials-policy';
import { reserveMail } from './email-confirmation';
import { AppError, InvalidLinkError, NoPasswordIdentityError } from './errors';
import type { ClientInfo, TokenGrant, UserRecord } from './model';
import type { AlertChannels } from './ports/alert-channels';
import type { MailBrake } from './ports/mail-brake';
import type { ResetLinkStore } from './ports/reset-link-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import {
  acceptablePassword,
  finishReset,
  passwordAccount,
  prepareReset,
  type ResetDeps,
} from './reset-password';
import { auditEvent } from './session-issuer';

/** What a reset link is: valid 15 minutes, and how many link requests one client IP may make an hour. */
export interface ResetLinkPolicy {
  linkSeconds: number;
  requestsPerIpPerHour: number;
  /** Where the link points: the app's (universal) link that takes the token; `?token=…` is added. */
  linkUrl: string;
}

/** The answer to every link request, whatever the username: nothing tells accounts apart. */
export interface ResetLinkRequested {
  expiresIn: number;
}

/**
 * A link's token: `<userId>.<secret>`. The user id says which account's one live link to check
 * (a new link replaces the last, so only the newest works); the secret (256 bits) is the proof,
 * stored only as its hash.
 */
function parseToken(token: string): { userId: string; secret: string } {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || dot === token.length - 1) throw new InvalidLinkError();
  return { userId: token.slice(0, dot), secret: token.slice(dot + 1) };
}

/** The address a link may be mailed to: confirmed (its subscription to the alert topic is live). */
function confirmedEmail(user: UserRecord): string | undefined {
  return user.emailConfirmed && user.emailSubscription !== undefined ? user.email : undefined;
}

/**
 * `POST /v1/auth/password/reset/email {username}`: mails a single-use reset link, valid 15
 * minutes, to the account's confirmed email, through the alert topic (the user's own filtered
 * email subscription: no mail service of our own). Always answers the same 202, whether the
 * username exists, has a confirmed email, or is past its mail brake, so the answer tells nothing
 * about the account. Brakes: per client IP an hour (429 EMAIL_RATE_LIMITED, the same for every
 * username), and the account's mail brake (3 an hour, 10 a day, shared with confirmation mails),
 * which silently sends nothing once spent. A new link replaces the previous one.
 *
 * A dormant account is not held here, unlike a reset by SMS: a confirmed address is a channel
 * the owner proved and kept, which carriers do not hand to strangers; it is how the owner of a
 * dormant account whose number was recycled gets back in. The reset is notified to the phone too.
 *
 * @example
 * await requestPasswordResetEmail(deps)({ username: 'alice' }, { ip: '203.0.113.9' });
 */
export function requestPasswordResetEmail(deps: {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  links: ResetLinkStore;
  mailBrake: MailBrake;
  alerts: AlertChannels;
  policy: ResetLinkPolicy;
  /** Brings `emailConfirmed` up to date with the subscription (an address confirmed since). */
  syncEmail?: (user: UserRecord, client: ClientInfo) => Promise<UserRecord>;
}) {
  return async (input: { username: string }, client: ClientInfo): Promise<ResetLinkRequested> => {
    const answer = { expiresIn: deps.policy.linkSeconds };
    const now = deps.clock.now();
    const perIp = await deps.mailBrake.reserveFromClient({
      ip: client.ip ?? 'unknown',
      now,
      perHour: deps.policy.requestsPerIpPerHour,
    });
    if (!perIp.allowed) {
      throw new AppError('EMAIL_RATE_LIMITED', 'Too many reset requests. Wait before trying again.', {
        retryAfterSeconds: perIp.retryAfterSeconds,
      });
    }

    const userId = await deps.links.findPasswordOwner(normalizeUsername(input.username));
    if (userId === undefined) return answer;
    const found = await deps.users.getUser(userId);
    if (found === undefined) return answer;
    const user = (await deps.syncEmail?.(found.user, client)) ?? found.user;
    const email = confirmedEmail(user);
    if (email === undefined) return answer;
    try {
      await reserveMail(deps, userId);
    } catch (error) {
      // Past the account's brake: nothing is mailed, and the answer does not say so.
      if (error instanceof AppError && error.code === 'EMAIL_RATE_LIMITED') return answer;
      throw error;
    }

    const secret = deps.crypto.newSecret();
    await deps.links.issue({
      userId,
      linkHash: deps.crypto.hashSecret(secret),
      emailHash: deps.crypto.hashSecret(email),
      expiresAt: addSeconds(now, deps.policy.linkSeconds),
      event: auditEvent(deps.crypto, {
        userId,
        type: 'password.reset_requested',
        now,
        client,
        detail: { channel: 'email' },
      }),
    });
    const separator = deps.policy.linkUrl.includes('?') ? '&' : '?';
    const link = `${deps.policy.linkUrl}${separator}token=${encodeURIComponent(`${userId}.${secret}`)}`;
    const minutes = Math.round(deps.policy.linkSeconds / 60);
    await deps.alerts.publishEvent({
      eventType: 'account.recovery',
      userId,
      subject: 'Reset your LinkGuard password',
      message: `Someone asked to reset the password of your LinkGuard account. To choose a new one, open this link within ${minutes} minutes: ${link}\n\nIt works once. If this wasn't you, ignore this mail: your password has not changed.`,
    });
    return answer;
  };
}

/**
 * `POST /v1/auth/password/reset/email/complete {token, password}`: the mailed link's token sets
 * a new password, ends the lockout, signs out every other session and signs in, like a reset by
 * SMS. The link is consumed in the same transaction as the new hash (deleted only if it is still
 * this live link), so of parallel completions one succeeds. An unknown, replaced, used or
 * expired link, or one mailed to an address the account no longer has confirmed, is 401
 * INVALID_LINK. The new password is checked before the link is spent.
 *
 * @example
 * const grant = await resetPasswordWithLink(deps)({ token, password }, client);
 */
export function resetPasswordWithLink(deps: ResetDeps & { links: ResetLinkStore }) {
  return async (input: { token: string; password: string }, client: ClientInfo): Promise<TokenGrant> => {
    const password = await acceptablePassword(deps, input.password);
    const { userId, secret } = parseToken(input.token);
    const now = deps.clock.now();
    const link = await deps.links.find(userId, now);
    const linkHash = deps.crypto.hashSecret(secret);
    if (link === undefined || !deps.crypto.sameHash(link.linkHash, linkHash)) throw new InvalidLinkError();
    const account = await passwordAccount(deps, userId).catch((error: unknown) => {
      throw error instanceof NoPasswordIdentityError ? new InvalidLinkError() : error;
    });
    const email = confirmedEmail(account.found.user);
    if (email === undefined || !deps.crypto.sameHash(link.emailHash, deps.crypto.hashSecret(email)))
      throw new InvalidLinkError();

    const reset = await prepareReset(deps, account, { password, method: 'email', now, client });
    const result = await deps.recovery.resetWithLink({ ...reset.write, linkHash, now });
    if (result !== 'reset') throw new InvalidLinkError();
    return finishReset(deps, reset, { now, client });
  };
}
