import type { SignInRecord } from './model';
import type { DeviceHistory } from './ports/device-history';
import type { SecurityNotifier } from './ports/security-notifier';
import type { DeviceSeen } from './ports/user-directory';

export interface NewDeviceNoticeDeps {
  devices: DeviceHistory;
  notify: SecurityNotifier;
}

/** How much of the user agent the notice quotes: enough to recognise the app and the phone. */
const DEVICE_NAME_LENGTH = 80;

/**
 * After a sign-in is stored, tells the user if it came from a new device: a user agent that no
 * earlier session of the account still stored (live, ended or revoked, within the sessions'
 * lifetime) came from. The sign-in that created the account has nothing to compare with and is
 * no notice. Only sessions started before this one count, so of two sign-ins from one new device
 * at once the first is the new one, and a retried sign-in finds the first attempt's session:
 * either way one notice. The notice is keyed by the sign-in's event id.
 *
 * @example
 * await noticeNewDevice(deps)({ userId, phone }, grant.signIn);
 */
export function noticeNewDevice(deps: NewDeviceNoticeDeps) {
  return async (
    user: { userId: string; phone?: string | undefined },
    signIn: SignInRecord,
  ): Promise<void> => {
    if (signIn.isNewUser) return;
    const seen =
      signIn.seenBefore ??
      (await deps.devices.seenBefore({
        userId: user.userId,
        before: { sessionId: signIn.sessionId, startedAt: signIn.startedAt },
        userAgent: signIn.userAgent,
      }));
    if (seen) return;
    await deps.notify({
      eventId: signIn.eventId,
      userId: user.userId,
      kind: 'new_device_sign_in',
      phone: user.phone,
      subject: deviceName(signIn.userAgent),
    });
  };
}

/**
 * Whether one of `devices` (a user's stored sessions) started before the sign-in — earlier, or at
 * the same instant with a smaller id — from the same user agent (or, for a sign-in without one,
 * also without one): the rule of `DeviceHistory.seenBefore`, on sessions already read.
 *
 * @example
 * seenBefore(found.devices, { sessionId, startedAt, userAgent }) // true: a known device
 */
export function seenBefore(
  devices: readonly DeviceSeen[],
  signIn: Pick<SignInRecord, 'sessionId' | 'startedAt' | 'userAgent'>,
): boolean {
  return devices.some(
    (d) =>
      d.sessionId !== signIn.sessionId &&
      (d.startedAt < signIn.startedAt ||
        (d.startedAt === signIn.startedAt && d.sessionId < signIn.sessionId)) &&
      d.userAgent === signIn.userAgent,
  );
}

/** The user agent as the notice names the device: printable characters, shortened. */
function deviceName(userAgent: string | undefined): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const printable = userAgent?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (printable === undefined || printable === '') return undefined;
  return printable.length > DEVICE_NAME_LENGTH ? `${printable.slice(0, DEVICE_NAME_LENGTH - 1)}…` : printable;
}
