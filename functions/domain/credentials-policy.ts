import { AppError, type FieldError, ValidationFailedError } from './errors';
import type { CommonPasswordList } from './ports/passwords';

/** Usernames: 3–32 of `a-z 0-9 _ . -`, compared case-insensitively. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
/** Passwords: 8–128 Unicode code points after NFKC normalisation (NIST SP 800-63B §5.1.1.2). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The one spelling of a username used for keys and comparison: NFKC, lower case, trimmed.
 *
 * @example
 * normalizeUsername(' Alice ') // 'alice'
 */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** The one spelling of a password that is hashed and verified: NFKC, as NIST recommends. */
export function normalizePassword(raw: string): string {
  return raw.normalize('NFKC');
}

/** Problems with a username chosen at registration, as field errors (empty when fine). */
export function usernameProblems(username: string): FieldError[] {
  return USERNAME_PATTERN.test(username)
    ? []
    : [{ path: 'username', message: 'must be 3 to 32 of a-z, 0-9, underscore, dot and hyphen' }];
}

/** Problems with a new password's length, as field errors (empty when fine). */
export function passwordLengthProblems(password: string): FieldError[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX)
    return [{ path: 'password', message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` }];
  return [];
}

/** Throws VALIDATION_FAILED when any problem was found. */
export function assertNoProblems(problems: FieldError[]): void {
  if (problems.length > 0) throw new ValidationFailedError(problems);
}

/** Throws PASSWORD_TOO_COMMON when the password is on the list of common passwords. */
export async function assertNotCommon(list: CommonPasswordList, password: string): Promise<void> {
  if (await list.contains(password)) {
    throw new AppError('PASSWORD_TOO_COMMON', 'That password is too common. Choose another one.', {
      errors: [{ path: 'password', message: 'This password appears in lists of common passwords.' }],
    });
  }
}
