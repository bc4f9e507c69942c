import { InvariantError } from '../domain/errors';
import type { CommonPasswordList } from '../domain/ports/passwords';
import { lazy } from './lazy';

/**
 * The 49,000 most common passwords from `@zxcvbn-ts/language-common` (a maintained list).
 * Loaded on first use, not at cold start: only the routes that set a password need it. The
 * package stays outside the bundle (`bundling.nodeModules`), so its 380 KB never load elsewhere.
 *
 * @example
 * await new ZxcvbnCommonPasswordList().contains('password1') // true
 */
export class ZxcvbnCommonPasswordList implements CommonPasswordList {
  private readonly list = lazy(load);

  async contains(password: string): Promise<boolean> {
    return (await this.list()).has(password.toLowerCase());
  }
}

async function load(): Promise<Set<string>> {
  const { dictionary } = await import('@zxcvbn-ts/language-common');
  const passwords = (dictionary as Record<string, string[] | undefined>)['passwords-common'];
  if (passwords === undefined || passwords.length < 10_000) {
    throw new InvariantError('The common-password list is missing from @zxcvbn-ts/language-common.');
  }
  return new Set(passwords.map((p) => p.toLowerCase()));
}
