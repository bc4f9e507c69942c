/**
 * How far in the future an access token's `iat` may be (another instance's clock), in seconds.
 * The verifier refuses anything later; the revocation list keeps an entry this much longer than
 * an access token lives.
 */
export const ACCESS_TOKEN_CLOCK_SKEW_SECONDS = 30;
