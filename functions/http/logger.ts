import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. Nothing that could hold a credential is ever passed to it: no
 * bodies, no headers, no tokens, no error objects from vendors (only their name and code).
 */
export const logger = new Logger({ serviceName: 'linkguard' });

/** How many `cause`s deep an error is logged. */
const MAX_CAUSES = 3;

/**
 * What of an error may be logged: its name, code, message (scrubbed) and a short stack, then the
 * same for its `cause` chain. Never any other property: an axios error's `config` and
 * `response` carry our Plaid secret and the user's tokens.
 *
 * @example
 * logger.error('request failed', { error: loggableError(error) });
 */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: scrubSecrets(error.message.slice(0, 500)),
    ...(error.stack === undefined
      ? {}
      : { stack: scrubSecrets(error.stack.split('\n').slice(0, 8).join('\n')) }),
    ...(cause !== undefined && depth < MAX_CAUSES ? { cause: loggableError(cause, depth + 1) } : {}),
  };
}

/** `secret=…`, `"PLAID-SECRET": "…"`, `Bearer …`, `access-sandbox-…`: what a message must not carry. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /((?:secret|password|pepper|token|authorization|api[-_]?key)[\w-]*["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
  /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /()\b(?:access|public|link)-(?:sandbox|development|production)-[A-Za-z0-9-]+/g,
];

/**
 * Replaces what looks like a credential in a log string with `[redacted]`. A second line of
 * defence: errors should never carry secrets in their message in the first place.
 */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '$1[redacted]'), text);
}
