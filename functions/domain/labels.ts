/** Masked labels for identities, as `GET /v1/me` shows them. */

/**
 * `+86 138 0013 8000` → `+86 138****8000`: country code, three leading and four trailing digits.
 *
 * @example
 * maskPhone('+86 138 0013 8000') // '+86 138****8000'
 */
export function maskPhone(international: string): string {
  const [countryCode = '', ...rest] = international.split(' ');
  const national = rest.join('');
  if (national.length <= 7) return `${countryCode} ${national.slice(0, 1)}****${national.slice(-2)}`;
  return `${countryCode} ${national.slice(0, 3)}****${national.slice(-4)}`;
}

/**
 * `charlie` → `ch***`, `陈静` → `陈***`: enough for the owner to recognise, little for anyone
 * else. Keeps at most two characters and never more than half of the name (in code points).
 */
export function maskUsername(username: string): string {
  const chars = [...username];
  return `${chars.slice(0, Math.min(2, Math.floor(chars.length / 2))).join('')}***`;
}
