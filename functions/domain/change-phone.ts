import { IdentityInUseError, IdentityTypeTakenError, InvalidCodeError, NotFoundError } from './errors';
import type { IdentityDeps } from './manage-identities';
import type { ClientInfo, UserView } from './model';
import { toUserView } from './model';
import { phoneIdentity } from './phone-numbers';
import type { OtpCrypto } from './ports/otp-crypto';
import type { PhoneAccountStore } from './ports/phone-account-store';
import type { SmsCodeStore } from './ports/sms-code-store';
import { auditEvent } from './session-issuer';
import type { SmsPolicy } from './sms-code-policy';
import { checkPhoneCode } from './sms-sign-in';

export interface ChangePhoneDeps extends IdentityDeps {
  otp: OtpCrypto;
  codes: SmsCodeStore;
  phoneAccounts: PhoneAccountStore;
  smsPolicy: SmsPolicy;
}

/**
 * `PUT /v1/me/phone` (sensitive): the new number, proven by a code, replaces the account's phone
 * identity in one transaction with consuming the code: the new identity is created only if no
 * account holds it (IDENTITY_IN_USE otherwise, also when another account wins a race for it), the
 * old one is deleted, so the old number is free at once (a new account may sign up with it), and
 * the profile's phone follows. An account without a phone gets one. Then the old number and the
 * alert topic are told (`phone_changed`), once.
 *
 * @example
 * const user = await changePhone(deps)(userId, { phone: '+8613900139000', code: '123456' }, client);
 */
export function changePhone(deps: ChangePhoneDeps) {
  return async (
    userId: string,
    input: { phone: string; code: string },
    client: ClientInfo,
  ): Promise<UserView> => {
    const { phone, now, codeId, identity } = await checkPhoneCode(deps, input.phone, input.code);
    if (identity !== undefined && identity.userId !== userId) throw new IdentityInUseError();
    const found = await deps.users.getUser(userId);
    if (found === undefined) throw new NotFoundError('No such user.');
    // Already this account's number: nothing to change, and the code stays for another use.
    if (identity !== undefined) return toUserView(found.user, found.identities);

    const replaced = found.identities.find((i) => i.type === 'phone');
    const event = auditEvent(deps.crypto, {
      userId,
      type: 'phone.changed',
      now,
      client,
      // Masked labels only: the audit log never holds a full number.
      detail: { to: phone.label, ...(replaced === undefined ? {} : { from: replaced.label }) },
    });
    const result = await deps.phoneAccounts.linkPhone({
      phone: phone.e164,
      codeId,
      maxAttempts: deps.smsPolicy.maxAttempts,
      identity: phoneIdentity(phone, userId, now),
      replaced,
      event,
    });
    if (result === 'phone_taken') throw new IdentityInUseError();
    if (result === 'type_taken') throw new IdentityTypeTakenError();
    if (result === 'code_gone') throw new InvalidCodeError();
    // The old number hears of it (whoever holds the new one just proved it); without an old
    // number this is a phone added, as linking one.
    await deps.notify?.(
      replaced === undefined
        ? { eventId: event.id, userId, kind: 'identity_linked', subject: 'phone', phone: phone.e164 }
        : { eventId: event.id, userId, kind: 'phone_changed', phone: replaced.subject },
    );
    const after = await deps.users.getUser(userId);
    if (after === undefined) throw new NotFoundError('No such user.');
    return toUserView(after.user, after.identities);
  };
}
