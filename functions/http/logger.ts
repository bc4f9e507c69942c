import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. Nothing that could hold a credential is ever passed to it: no
 * bodies, no headers, no tokens, no error objects from vendors (only their name and code).
 */
export const logger = new Logger({ serviceName: 'linkguard' });

/** What of an error may be logged: its name, code and message, and a stack for our own bugs. */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message.slice(0, 500),
    stack: error.stack?.split('\n').slice(0, 8).join('\n'),
  };
}
