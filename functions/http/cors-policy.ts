/**
 * The one CORS policy, shared by the HTTP API's configuration (lib/api-stack.ts) and the local
 * runtime's preflight answers, so a browser sees the same thing in both. No credentials:
 * clients send bearer tokens, never cookies.
 */
export const CORS_POLICY = {
  /** Request headers a browser client may send. */
  allowHeaders: ['authorization', 'content-type'],
  /** Response headers its scripts may read. */
  exposeHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
  /** How long a browser may cache a preflight's answer. */
  maxAgeSeconds: 600,
} as const;

/** `CORS_ALLOWED_ORIGINS` (comma-separated, `*` for any) as a list. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  return (value ?? '*')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

/** The `Access-Control-Allow-Origin` value for a request's `Origin`, or undefined if refused. */
export function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (origin === undefined || origin === '') return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}
