import { DynamoRecoveryStore } from '../adapters/dynamo/recovery-store';
import { completeReverify, guardDormantAccount } from '../domain/recycled-numbers';
import { resetPasswordWithCode } from '../domain/reset-password';
import { base, sessions, table, users } from './accounts';
import { codes, dormancyDeps, otp } from './identities';
import { commonPasswords, hasher, signInUseCase } from './passwords';
import { memo } from './runtime';
import { accessTokenSigner } from './tokens';

/**
 * Password recovery. Hashes passwords, so a handler that imports this file lists
 * `@node-rs/argon2` and `@zxcvbn-ts/language-common` in its route's `nodeModules`.
 */

const recovery = () =>
  memo('recovery', ({ config }) => new DynamoRecoveryStore(table(), config.eventRetentionSeconds));

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
