import { DynamoNoticeLedger } from '../adapters/dynamo/notice-ledger';
import { countMetric } from '../adapters/operational-metrics';
import type { TokenGrant } from '../domain/model';
import { noticeNewDevice } from '../domain/new-device-notice';
import type { SecurityNotifier } from '../domain/ports/security-notifier';
import { type SecurityNotice, sendSecurityNotice } from '../domain/security-notices';
import { loggableError, logger } from '../http/logger';
import { sessions } from './accounts';
import { alertChannels } from './alert-channels';
import { currentRuntime, memo } from './runtime';
import { table } from './table';

/**
 * Sends a security notice exactly once per channel, keyed by the audit event id (see
 * `domain/security-notices.ts`); throws if a channel failed (its claim is released, so calling
 * again sends that channel only). A function that sends notices has the `securityNotices`
 * capability: the alert channels and `NOTICE#` on the table (`PutItem`, `UpdateItem`,
 * `DeleteItem`).
 *
 * @example
 * await securityNotice({ eventId: event.id, userId, kind: 'phone_changed', phone: oldPhone });
 */
export const securityNotice = (notice: SecurityNotice): Promise<void> =>
  memo('securityNotices', ({ clock }) =>
    sendSecurityNotice({ clock, channels: alertChannels(), ledger: new DynamoNoticeLedger(table()) }),
  )(notice);

/** Tries of one notice within the request: a throttled or failing send gets one more chance. */
export const NOTICE_ATTEMPTS = 2;

/**
 * The flows' notifier: {@link securityNotice}, tried {@link NOTICE_ATTEMPTS} times (the ledger
 * keeps a retry from sending a channel twice), never failing the request — the change it reports
 * is committed. A notice still unsent is logged (kind and event id, no phone) and counted
 * (`SecurityNotice` with `Outcome=failed`).
 *
 * @example
 * await notifyUser({ eventId: event.id, userId, kind: 'password_changed', phone });
 */
export const notifyUser: SecurityNotifier = async (input) => {
  // A configured test number is never texted (it may be anyone's real number).
  const testNumbers = currentRuntime().config.sms.policy.testNumbers;
  const notice =
    input.phone !== undefined && testNumbers?.has(input.phone) === true
      ? { ...input, phone: undefined }
      : input;
  let lastError: unknown;
  for (let attempt = 1; attempt <= NOTICE_ATTEMPTS; attempt++) {
    try {
      await securityNotice(notice);
      countMetric('securityNotice', { Kind: notice.kind, Outcome: 'sent' });
      return;
    } catch (error) {
      lastError = error;
    }
  }
  logger.error('security notice not sent; the change it reports stands', {
    kind: notice.kind,
    eventId: notice.eventId,
    error: loggableError(lastError),
  });
  countMetric('securityNotice', { Kind: notice.kind, Outcome: 'failed' });
};

const newDeviceNotice = () =>
  memo('newDeviceNotice', () => noticeNewDevice({ devices: sessions(), notify: notifyUser }));

/**
 * A sign-in use case that, once its session is stored, tells the user of a sign-in from a new
 * device (`domain/new-device-notice.ts`): one Query of the user's earlier sessions for a
 * sign-in to an existing account, none for a new one. Neither that read nor the notice can fail
 * the sign-in: a failure is logged and counted (`SecurityNotice`, `Outcome=failed`).
 *
 * @example
 * export const signInUseCase = () => noticingNewDevices(signInWithPassword(deps));
 */
export function noticingNewDevices<A extends unknown[], G extends TokenGrant>(
  signIn: (...args: A) => Promise<G>,
): (...args: A) => Promise<G> {
  return async (...args) => {
    const grant = await signIn(...args);
    const { signIn: record } = grant;
    if (record === undefined) return grant;
    try {
      await newDeviceNotice()({ userId: grant.user.id, phone: grant.user.phone }, record);
    } catch (error) {
      logger.error('new-device check failed; the sign-in stands', {
        eventId: record.eventId,
        error: loggableError(error),
      });
      countMetric('securityNotice', { Kind: 'new_device_sign_in', Outcome: 'failed' });
    }
    return grant;
  };
}
