import { createHmac, randomInt } from 'node:crypto';
import type { OtpCrypto } from '../domain/ports/otp-crypto';
import { type Lazy, lazy } from './lazy';
import type { SecretSource } from './secret-sources';

/**
 * Six-digit codes from `crypto.randomInt` (a CSPRNG, no modulo bias), stored as
 * HMAC-SHA256(pepper, phone + code): a leaked table does not give the codes away, because a
 * million guesses need the pepper, which lives in Secrets Manager (a local file in local mode).
 *
 * @example
 * const otp = new HmacOtpCrypto(pepperSource);
 * const hash = await otp.hashCode('+8613800138000', otp.newCode());
 */
export class HmacOtpCrypto implements OtpCrypto {
  private readonly pepper: Lazy<string>;

  constructor(pepperSource: SecretSource) {
    this.pepper = lazy(() => pepperSource.load());
  }

  newCode(): string {
    return String(randomInt(0, 1_000_000)).padStart(6, '0');
  }

  async hashCode(phone: string, code: string): Promise<string> {
    return createHmac('sha256', await this.pepper())
      .update(`${phone}:${code}`, 'utf8')
      .digest('base64url');
  }
}
