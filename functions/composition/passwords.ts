import { Argon2PasswordHasher } from '../adapters/argon2-password-hasher';
import { ZxcvbnCommonPasswordList } from '../adapters/common-password-list';
import { metricSecuritySignals } from '../adapters/operational-metrics';
import { setPassword } from '../domain/manage-identities';
import { registerWithPassword } from '../domain/register-with-password';
import { signInWithPassword } from '../domain/sign-in-with-password';
import { accounts, audit, base, sessions, users } from './accounts';
import { identityDeps } from './identities';
import { currentRuntime, memo } from './runtime';
import { accessTokenSigner } from './tokens';

/**
 * The routes that hash passwords. Kept apart because argon2 is a native module shipped beside
 * the bundle only for these functions: a handler that imports this file must list
 * `@node-rs/argon2` (and, to set passwords, `@zxcvbn-ts/language-common`) in its route's
 * `nodeModules`.
 */

/** argon2id at the configured cost. */
const hasher = () => memo('hasher', ({ config }) => new Argon2PasswordHasher(config.argon2));
/** The common-password list, loaded on first use. */
const commonPasswords = () => memo('commonPasswords', () => new ZxcvbnCommonPasswordList());

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

/** `POST /v1/auth/login`. */
export function signInUseCase() {
  const { config, ...deps } = base();
  return signInWithPassword({
    ...deps,
    hasher: hasher(),
    accounts: accounts(),
    users: users(),
    audit: audit(),
    signer: accessTokenSigner(),
    lockoutPolicy: config.lockoutPolicy,
    signals: metricSecuritySignals,
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
  });
