import { Argon2PasswordHasher } from '../adapters/argon2-password-hasher';
import { ZxcvbnCommonPasswordList } from '../adapters/common-password-list';
import { metricSecuritySignals } from '../adapters/operational-metrics';
import { setPassword } from '../domain/manage-identities';
import { reauthenticate } from '../domain/reauthenticate';
import { registerWithPassword } from '../domain/register-with-password';
import { signInWithPassword } from '../domain/sign-in-with-password';
import { accounts, audit, base, sessions, users } from './accounts';
import { codes, identityDeps, otp } from './phone-codes';
import { currentRuntime, memo } from './runtime';
import { noticingNewDevices, notifyUser } from './security-notices';
import { providers, socialIdentities } from './social';
import { accessTokenSigner } from './tokens';

/**
 * The routes that hash passwords. Kept apart because argon2 is a native module shipped beside
 * the bundle only for these functions: a handler that imports this file must list
 * `@node-rs/argon2` (and, to set passwords, `@zxcvbn-ts/language-common`) in its route's
 * `nodeModules`.
 */

/** argon2id at the configured cost. */
export const hasher = () => memo('hasher', ({ config }) => new Argon2PasswordHasher(config.argon2));
/** The common-password list, loaded on first use. */
export const commonPasswords = () => memo('commonPasswords', () => new ZxcvbnCommonPasswordList());

/** `POST /v1/auth/register`. */
export function registerUseCase() {
  const { config: _config, ...deps } = base();
  return registerWithPassword({
    ...deps,
    hasher: hasher(),
    commonPasswords: commonPasswords(),
    accounts: accounts(),
    signer: accessTokenSigner(),
  });
}

/** `POST /v1/auth/login` (and a held SMS sign-in finished with the password), noticing new devices. */
export function signInUseCase() {
  const { config, ...deps } = base();
  const signIn = signInWithPassword({
    ...deps,
    hasher: hasher(),
    accounts: accounts(),
    users: users(),
    audit: audit(),
    signer: accessTokenSigner(),
    lockoutPolicy: config.lockoutPolicy,
    signals: metricSecuritySignals,
  });
  return noticingNewDevices(signIn);
}

/** `POST /v1/auth/reauth`: every way to prove the account again (so it ships argon2 too). */
export function reauthUseCase() {
  const { config, clock, crypto } = base();
  return reauthenticate({
    clock,
    crypto,
    users: users(),
    sessions: sessions(),
    signer: accessTokenSigner(),
    audit: audit(),
    accounts: accounts(),
    hasher: hasher(),
    lockoutPolicy: config.lockoutPolicy,
    otp: otp(),
    codes: codes(),
    smsPolicy: config.sms.policy,
    providers: providers(),
    identities: socialIdentities(),
  });
}

/** `PUT /v1/me/password`. */
export const setPasswordUseCase = () =>
  setPassword({
    ...identityDeps(),
    hasher: hasher(),
    commonPasswords: commonPasswords(),
    accounts: accounts(),
    sessions: sessions(),
    lockoutPolicy: currentRuntime().config.lockoutPolicy,
    notify: notifyUser,
  });
