import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import { AppError } from './errors';
import { maskPhone } from './labels';
import type { IdentityRecord } from './model';

/** A phone number we can text: E.164, a mobile number, in an allowed country. */
export interface MobileNumber {
  /** E.164, e.g. `+8613800138000`. */
  e164: string;
  /** ISO 3166-1 alpha-2 region, e.g. `CN`. */
  country: string;
  /** Masked for display, e.g. `+86 138****8000`. */
  label: string;
}

/**
 * Parses a phone number typed by a user into E.164 with `libphonenumber-js`'s mobile metadata.
 * Only mobile numbers (and the regions where mobile and fixed lines cannot be told apart) pass;
 * only countries in `allowedCountries` may be texted.
 *
 * @example
 * parseMobileNumber('+86 138 0013 8000', ['CN']).e164 // '+8613800138000'
 */
export function parseMobileNumber(raw: string, allowedCountries: readonly string[]): MobileNumber {
  const parsed = parsePhoneNumberFromString(raw.trim());
  const type = parsed?.getType();
  if (parsed === undefined || !parsed.isValid() || (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE')) {
    throw new AppError(
      'INVALID_PHONE',
      'Give a mobile number in international form, like +86 138 0013 8000.',
      {
        errors: [{ path: 'phone', message: 'Not a valid mobile number in international (+country) form.' }],
      },
    );
  }
  const country = parsed.country ?? 'ZZ';
  if (!allowedCountries.includes(country)) {
    throw new AppError('COUNTRY_NOT_ALLOWED', `We cannot send text messages to numbers in ${country} yet.`);
  }
  return { e164: parsed.number, country, label: maskPhone(parsed.formatInternational()) };
}

/**
 * The phone identity of a verified number: the number is the subject, its masked form the label.
 *
 * @example
 * phoneIdentity(parseMobileNumber('+8613800138000', ['CN']), 'usr_1', now) // { type: 'phone', … }
 */
export function phoneIdentity(phone: MobileNumber, userId: string, linkedAt: Date): IdentityRecord {
  return { type: 'phone', subject: phone.e164, userId, label: phone.label, linkedAt: linkedAt.toISOString() };
}
