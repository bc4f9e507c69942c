import type { Clock } from './clock';
import type { IdentityRecord } from './model';
import type { AlertChannels } from './ports/alert-channels';
import type { NoticeChannel, NoticeLedger } from './ports/notice-ledger';

/** What a security notice tells the user happened to their account. */
export type SecurityNoticeKind =
  | 'new_device_sign_in'
  | 'password_changed'
  | 'password_reset'
  | 'identity_linked'
  | 'identity_unlinked'
  | 'phone_changed'
  | 'deletion_requested';

/** One notice: of one audit event (its id keys the notice, so retries never send it twice). */
export interface SecurityNotice {
  /** The id of the audit event the change wrote: the idempotency key. */
  eventId: string;
  userId: string;
  kind: SecurityNoticeKind;
  /** The account's verified phone, if any: the notice is texted there. */
  phone?: string | undefined;
  /** For identity notices: the way in (`google`, `phone`, …); for sign-ins, the device as its app named it. */
  subject?: string | undefined;
}

/**
 * The account's verified phone — its phone identity, proven by a code — where notices are texted.
 *
 * @example
 * verifiedPhone(found.identities) // '+8613800138000'
 */
export function verifiedPhone(
  identities: readonly Pick<IdentityRecord, 'type' | 'subject'>[],
): string | undefined {
  return identities.find((i) => i.type === 'phone')?.subject;
}

/** What the notice says, and what to do if it was not the user. */
const TEXTS: Record<SecurityNoticeKind, (subject: string | undefined) => { title: string; body: string }> = {
  new_device_sign_in: (device) => ({
    title: 'New sign-in to your LinkGuard account',
    body: `Your account was signed in on a new device${device === undefined ? '' : ` (${device})`}. If this wasn't you, change your password and sign out all other sessions in Settings > Security now.`,
  }),
  password_changed: () => ({
    title: 'Your LinkGuard password was changed',
    body: "Your password was changed and your other sessions were signed out. If this wasn't you, reset your password from the sign-in screen now and contact support.",
  }),
  password_reset: () => ({
    title: 'Your LinkGuard password was reset',
    body: "Your password was reset and your other sessions were signed out. If this wasn't you, someone can read your texts or your email: secure your phone number with your carrier and your mailbox, then contact our support now.",
  }),
  identity_linked: (way) => ({
    title: 'A new way to sign in was added',
    body: `${label(way)} was linked to your LinkGuard account. If this wasn't you, remove it in Settings > Security, change your password and sign out all other sessions.`,
  }),
  identity_unlinked: (way) => ({
    title: 'A way to sign in was removed',
    body: `${label(way)} was removed from your LinkGuard account. If this wasn't you, sign in, check Settings > Security and sign out all other sessions.`,
  }),
  phone_changed: () => ({
    title: 'Your LinkGuard phone number was changed',
    body: "The phone number of your account was changed; this number no longer signs in. If this wasn't you, sign in another way, sign out all sessions and contact support now.",
  }),
  deletion_requested: () => ({
    title: 'Your LinkGuard account is being deleted',
    body: "Your account deletion was requested: your sessions were signed out and your bank links are being removed. If this wasn't you, contact support at once.",
  }),
};

function label(way: string | undefined): string {
  if (way === undefined) return 'A sign-in method';
  const names: Record<string, string> = {
    password: 'A username and password',
    phone: 'A phone number',
    wechat: 'WeChat',
    qq: 'QQ',
    apple: 'Sign in with Apple',
    google: 'Google',
  };
  return names[way] ?? 'A sign-in method';
}

/** How long a claim may be held before another attempt takes it over (a crashed sender). */
const CLAIM_STALE_SECONDS = 120;

export interface SecurityNoticeDeps {
  clock: Clock;
  channels: AlertChannels;
  ledger: NoticeLedger;
}

/**
 * Sends a security notice to the user — a text to the account's phone and an event on the alert
 * topic (whose confirmed email subscription for the user delivers it) — exactly once per channel
 * per audit event: each send is claimed in the ledger under the event id first, marked sent
 * after, and released if it failed (the error is thrown, so the caller's retry sends it). A retry
 * of the whole request, or of this call, finds the notice sent and sends nothing. Call it after
 * the change it reports has been written, with that change's audit event id.
 *
 * @example
 * await sendSecurityNotice(deps)({ eventId: event.id, userId, kind: 'password_changed', phone });
 */
export function sendSecurityNotice(deps: SecurityNoticeDeps) {
  return async (notice: SecurityNotice): Promise<void> => {
    const { title, body } = TEXTS[notice.kind](notice.subject);
    const sends: { channel: NoticeChannel; send: () => Promise<void> }[] = [
      ...(notice.phone === undefined
        ? []
        : [
            {
              channel: 'sms' as const,
              send: () =>
                deps.channels.sendSms({ phone: notice.phone as string, message: `LinkGuard: ${body}` }),
            },
          ]),
      {
        channel: 'topic',
        send: () =>
          deps.channels.publishEvent({
            eventType: 'security.notice',
            userId: notice.userId,
            subject: title,
            message: body,
          }),
      },
    ];
    const failures: unknown[] = [];
    for (const { channel, send } of sends) {
      const now = deps.clock.now();
      const key = { eventId: notice.eventId, channel, claimId: crypto.randomUUID() };
      const staleBefore = new Date(now.getTime() - CLAIM_STALE_SECONDS * 1000);
      if (!(await deps.ledger.claim({ ...key, now, staleBefore }))) continue;
      try {
        await send();
      } catch (error) {
        await deps.ledger.release(key);
        failures.push(error);
        continue;
      }
      await deps.ledger.complete({ ...key, now: deps.clock.now() });
    }
    if (failures.length > 0) throw failures[0];
  };
}
