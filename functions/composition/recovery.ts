import { DynamoRecoveryStore } from '../adapters/dynamo/recovery-store';
import { DynamoResetLinkStore } from '../adapters/dynamo/reset-link-store';
import { completeReverify, guardDormantAccount } from '../domain/recycled-numbers';
import { resetPasswordWithCode } from '../domain/reset-password';
import { requestPasswordResetEmail, resetPasswordWithLink } from '../domain/reset-password-by-email';
import type { SecurityNotice } from '../domain/security-notices';
import { loggableError, logger } from '../http/logger';
import { base, sessions, table, users } from './accounts';
import { alertChannels } from './alert-channels';
import { codes, dormancyDeps, emailConfirmationSync, mailBrake, otp } from './identities';
import { commonPasswords, hasher, signInUseCase } from './passwords';
import { memo } from './runtime';
import { securityNotice } from './security-notices';
import { accessTokenSigner } from './tokens';

/**
 * Password recovery. Hashes passwords, so a handler that imports this file lists
 * `@node-rs/argon2` and `@zxcvbn-ts/language-common` in its route's `nodeModules`.
 */

const recovery = () =>
  memo('recovery', ({ config }) => new DynamoRecoveryStore(table(), config.eventRetentionSeconds));

const resetLinks = () =>
  memo('resetLinks', ({ config }) => new DynamoResetLinkStore(table(), config.eventRetentionSeconds));

/**
 * The reset's `password_reset` notice. A failed send is logged and does not fail the request:
 * the reset is written and its secret spent, so the client could not retry it; the audit log
 * keeps the `password.reset` event either way.
 */
async function notifyReset(notice: SecurityNotice): Promise<void> {
  try {
    await securityNotice(notice);
  } catch (error) {
    logger.error('security notice not sent', {
      kind: notice.kind,
      eventId: notice.eventId,
      error: loggableError(error),
    });
  }
}

function resetDeps() {
  const { config: _config, ...deps } = base();
  return {
    ...deps,
    users: users(),
    sessions: sessions(),
    recovery: recovery(),
    hasher: hasher(),
    commonPasswords: commonPasswords(),
    signer: accessTokenSigner(),
    notify: notifyReset,
  };
}

/** `POST /v1/auth/sms/reverify`. */
export const completeReverifyUseCase = () => {
  const { config } = base();
  return completeReverify({
    ...dormancyDeps(),
    signer: accessTokenSigner(),
    sessionPolicy: config.sessionPolicy,
    allowedCountries: config.sms.policy.allowedCountries,
    signInWithPassword: signInUseCase(),
  });
};

/** `POST /v1/auth/password/reset`. */
export const resetPasswordWithCodeUseCase = () =>
  resetPasswordWithCode({
    ...resetDeps(),
    otp: otp(),
    codes: codes(),
    smsPolicy: base().config.sms.policy,
    guardDormant: guardDormantAccount(dormancyDeps()),
  });

/** `POST /v1/auth/password/reset/email`. */
export const requestPasswordResetEmailUseCase = () => {
  const { config, clock, crypto } = base();
  return requestPasswordResetEmail({
    clock,
    crypto,
    users: users(),
    links: resetLinks(),
    mailBrake: mailBrake(),
    alerts: alertChannels(),
    policy: config.passwordReset,
    ...emailConfirmationSync(),
  });
};

/** `POST /v1/auth/password/reset/email/complete`. */
export const resetPasswordWithLinkUseCase = () =>
  resetPasswordWithLink({ ...resetDeps(), links: resetLinks() });
