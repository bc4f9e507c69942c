import { STATUS_OF } from '../api/error-statuses';
import type { FieldError, PublicErrorCode } from '../domain/errors';

/** What a client is told when the message of an error is not for them. */
export const GENERIC_DETAIL: Partial<Record<PublicErrorCode, string>> = {
  PLAID_UNAVAILABLE: 'Plaid did not answer. Try again in a minute.',
  INTERNAL: 'Something went wrong on our side. Try again later.',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem document with our `code` and `requestId` members. */
export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  code: PublicErrorCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Builds the problem body for an error code. */
export function problem(
  code: PublicErrorCode,
  detail: string,
  requestId: string,
  extra: { errors?: FieldError[]; extensions?: Record<string, unknown> } = {},
): Problem {
  const status = STATUS_OF[code];
  return {
    ...(extra.extensions ?? {}),
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    requestId,
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
  };
}
