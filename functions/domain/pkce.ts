import { createHash } from 'node:crypto';

/** RFC 7636 code_verifier: 43–128 of the unreserved characters. */
export const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 code_challenge: base64url of a SHA-256, 43 characters, no padding. */
export const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The S256 challenge of a verifier, RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(verifier)))`.
 *
 * @example
 * s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
