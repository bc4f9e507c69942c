import type { Clock } from './clock';
import { AppError, InvalidCodeError } from './errors';
import { type ClientInfo, type IdentityRecord, type TokenGrant, toUserView } from './model';
import { newUser } from './new-user';
import { parseMobileNumber, phoneIdentity } from './phone-numbers';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { OtpCrypto } from './ports/otp-crypto';
import type { PhoneAccountStore } from './ports/phone-account-store';
import type { SmsCodeStore } from './ports/sms-code-store';
import type { SmsSender } from './ports/sms-sender';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import type { SignInAccount } from './recycled-numbers';
import { grantSession, sessionStarter, startSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';
import { checkCode, codeExpiry, judgePhoneSend, type SmsPolicy } from './sms-code-policy';

export interface SmsSendDeps {
  clock: Clock;
  crypto: TokenCrypto;
  otp: OtpCrypto;
  codes: SmsCodeStore;
  sms: SmsSender;
  smsPolicy: SmsPolicy;
}

/**
 * Sends a sign-in code to a phone (`POST /v1/auth/sms/send`). The send is claimed in the
 * database first, so of any number of parallel requests one SMS goes out; if the SMS provider
 * fails, the claim is undone: no usable code is left and no send is counted. The answer is the
 * same whether or not the phone has an account.
 *
 * @example
 * await sendSmsCode(deps)('+86 138 0013 8000', { ip: '203.0.113.9' });
 */
export function sendSmsCode(deps: SmsSendDeps) {
  return async (
    rawPhone: string,
    client: ClientInfo,
  ): Promise<{ expiresIn: number; resendAfter: number }> => {
    const phone = parseMobileNumber(rawPhone, deps.smsPolicy.allowedCountries);
    const now = deps.clock.now();
    const history = await deps.codes.loadSendHistory(phone.e164);
    const verdict = judgePhoneSend(history, now, deps.smsPolicy);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterSeconds);

    // A configured test number gets its fixed code, and no SMS: nothing is sent to a real phone.
    const testCode = deps.smsPolicy.testNumbers?.get(phone.e164);
    const code = testCode ?? deps.otp.newCode();
    const codeId = deps.crypto.newId('otp');
    const reservation = await deps.codes.reserveSend({
      phone: phone.e164,
      ip: client.ip ?? 'unknown',
      now,
      history,
      sends: [...verdict.recent, now.toISOString()],
      code: {
        codeId,
        codeHash: await deps.otp.hashCode(phone.e164, code),
        attempts: 0,
        createdAt: now.toISOString(),
        expiresAt: codeExpiry(now, deps.smsPolicy).toISOString(),
      },
      perIpPerHour: deps.smsPolicy.perIpPerHour,
      dailyCap: deps.smsPolicy.dailyCap,
    });
    if (reservation.outcome === 'limited') throw rateLimited(reservation.retryAfterSeconds);

    const minutes = Math.round(deps.smsPolicy.codeTtlSeconds / 60);
    if (testCode !== undefined)
      return { expiresIn: deps.smsPolicy.codeTtlSeconds, resendAfter: deps.smsPolicy.resendAfterSeconds };
    try {
      await deps.sms.send({
        phone: phone.e164,
        message: `Your LinkGuard code is ${code}. It expires in ${minutes} minutes. Never share it with anyone.`,
      });
    } catch (error) {
      await deps.codes.releaseSend({ phone: phone.e164, ip: client.ip ?? 'unknown', now, codeId, history });
      throw error;
    }
    return { expiresIn: deps.smsPolicy.codeTtlSeconds, resendAfter: deps.smsPolicy.resendAfterSeconds };
  };
}

export interface SmsVerifyDeps {
  clock: Clock;
  crypto: TokenCrypto;
  otp: OtpCrypto;
  codes: SmsCodeStore;
  phoneAccounts: PhoneAccountStore;
  users: UserDirectory;
  signer: AccessTokenSigner;
  smsPolicy: SmsPolicy;
  sessionPolicy: SessionPolicy;
  /**
   * Checked before a code signs in to an existing account: throws PHONE_REVERIFY_REQUIRED for a
   * dormant account the number may no longer belong to (`recycled-numbers.ts`). Returns the
   * account as it read it, so that the answer needs no second read.
   */
  guardDormant?: (input: {
    identity: IdentityRecord;
    phone: string;
    codeId: string;
    maxAttempts: number;
    client: ClientInfo;
  }) => Promise<SignInAccount | undefined>;
}

/**
 * Checks a phone's code: a wrong one is counted (the fifth kills the code); a right one is
 * returned for the caller to consume in its own transaction. Shared by sign-in and linking.
 */
export async function checkPhoneCode(
  deps: Pick<SmsVerifyDeps, 'clock' | 'crypto' | 'otp' | 'codes' | 'smsPolicy'>,
  rawPhone: string,
  code: string,
) {
  const phone = parseMobileNumber(rawPhone, deps.smsPolicy.allowedCountries);
  const now = deps.clock.now();
  const { code: record, identity } = await deps.codes.loadCodeAndIdentity(phone.e164);
  const presented = await deps.otp.hashCode(phone.e164, code);
  const verdict = checkCode(record, presented, now, deps.smsPolicy, deps.crypto.sameHash);
  if (verdict === 'absent' || record === undefined) throw new InvalidCodeError();
  if (verdict === 'exhausted') throw tooManyAttempts();
  if (verdict === 'wrong') {
    const attempts = await deps.codes.countWrongAttempt(
      phone.e164,
      record.codeId,
      deps.smsPolicy.maxAttempts,
    );
    if (attempts >= deps.smsPolicy.maxAttempts) throw tooManyAttempts();
    throw new InvalidCodeError();
  }
  return { phone, now, codeId: record.codeId, identity };
}

/**
 * Signs in with a phone and code; the first success for an unknown phone creates the user and
 * the phone identity in the same transaction that consumes the code.
 *
 * @example
 * const { grant, isNewUser } = await verifySmsCode(deps)('+8613800138000', '123456', client);
 */
export function verifySmsCode(deps: SmsVerifyDeps) {
  const verify = async (
    rawPhone: string,
    code: string,
    client: ClientInfo,
    retried = false,
  ): Promise<TokenGrant & { isNewUser: boolean }> => {
    const { phone, now, codeId, identity } = await checkPhoneCode(deps, rawPhone, code);
    const userId = identity?.userId ?? deps.crypto.newId('usr');
    const started = startSession(
      deps,
      { userId, now, client },
      {
        method: 'sms',
        newUser: identity === undefined,
        startedBy: sessionStarter(deps.crypto, 'phone', phone.e164),
      },
    );
    const consume = { phone: phone.e164, codeId, maxAttempts: deps.smsPolicy.maxAttempts, ...started };

    if (identity !== undefined) {
      const account = await deps.guardDormant?.({ identity, ...consume, client });
      if ((await deps.phoneAccounts.signIn(consume)) === 'code_gone') throw new InvalidCodeError();
      return {
        ...(await grantSession(deps, started, account ?? { missing: () => new InvalidCodeError() })),
        isNewUser: false,
      };
    }

    const user = newUser({ id: userId, displayName: phone.label, phone: phone.e164, now });
    const created = phoneIdentity(phone, userId, now);
    const result = await deps.phoneAccounts.createAccount({ ...consume, user, identity: created });
    // Someone linked this phone between our read and our write (the code is still unused): sign in.
    if (result === 'phone_taken' && !retried) return verify(rawPhone, code, client, true);
    if (result !== 'created') throw new InvalidCodeError();
    return {
      ...(await grantSession(deps, started, { user: toUserView(user, [created]) })),
      isNewUser: true,
    };
  };
  return (rawPhone: string, code: string, client: ClientInfo) => verify(rawPhone, code, client);
}

function rateLimited(retryAfterSeconds: number): AppError {
  return new AppError('SMS_RATE_LIMITED', 'Too many codes sent. Wait before asking for another.', {
    retryAfterSeconds,
  });
}

function tooManyAttempts(): AppError {
  return new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes. Ask for a new code.', {
    retryAfterSeconds: 60,
  });
}
