import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { answerFor } from '../../api/error-statuses';
import type { ErrorFormat } from '../../api/formats';
import { AppError, type PublicErrorCode, ReauthRequiredError } from '../../domain/errors';
import { loggableError, logger } from '../logger';
import { GENERIC_DETAIL, problem } from '../problem';
import type { HttpEvent, HttpResponse } from '../types';
import { stateOf } from './request-context';

/** RFC 6749 §5.2 error codes for the token endpoint. */
const OAUTH_ERRORS: Partial<Record<PublicErrorCode, string>> = {
  INVALID_GRANT: 'invalid_grant',
  INVALID_REQUEST: 'invalid_request',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  VALIDATION_FAILED: 'invalid_request',
  MALFORMED_BODY: 'invalid_request',
  UNSUPPORTED_MEDIA_TYPE: 'invalid_request',
  PAYLOAD_TOO_LARGE: 'invalid_request',
};

/**
 * Turns every error into a response. An {@link AppError} becomes its status and code; anything
 * else is our bug or an outage and becomes a bare 500 that shows nothing of it. `oauth` answers
 * the token endpoint's errors in RFC 6749 form instead of RFC 9457.
 */
export function problemErrors(
  options: { format: ErrorFormat } = { format: 'problem' },
): MiddlewareObj<HttpEvent, HttpResponse> {
  const onError = (request: Request<HttpEvent, HttpResponse, Error, Context>): void => {
    if (request.response !== undefined && request.error === undefined) return;
    const error = request.error;
    const requestId = safeRequestId(request.event);
    const known = error instanceof AppError ? error : undefined;
    const { code, status, exposeMessage } = answerFor(known?.code ?? 'INTERNAL');

    if (status >= 500) logger.error('request failed', { error: loggableError(error) });
    else logger.info('request refused', { code: known?.code });

    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (known?.retryAfterSeconds !== undefined) headers['retry-after'] = String(known.retryAfterSeconds);
    if (code === 'INVALID_TOKEN') headers['www-authenticate'] = 'Bearer error="invalid_token"';
    if (known instanceof ReauthRequiredError) {
      // RFC 9470 §3: the step-up challenge, with how recent the authentication must be.
      headers['www-authenticate'] =
        `Bearer error="insufficient_user_authentication", max_age=${known.maxAgeSeconds}`;
    }

    const oauthError = options.format === 'oauth' ? OAUTH_ERRORS[code] : undefined;
    if (oauthError !== undefined) {
      request.response = {
        statusCode: 400,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          error: oauthError,
          error_description: exposeMessage && known !== undefined ? known.message : 'Bad request.',
        }),
      };
      return;
    }

    const detail =
      exposeMessage && known !== undefined
        ? known.message
        : (GENERIC_DETAIL[code] ?? 'Something went wrong on our side. Try again later.');
    const body = problem(code, detail, requestId, {
      ...(known?.errors === undefined ? {} : { errors: known.errors }),
      ...(known?.extensions === undefined ? {} : { extensions: known.extensions }),
    });
    request.response = {
      statusCode: status,
      headers: { ...headers, 'content-type': 'application/problem+json' },
      body: JSON.stringify(body),
    };
  };
  return { onError };
}

function safeRequestId(event: HttpEvent): string {
  try {
    return stateOf({ event }).requestId;
  } catch {
    return event.requestContext?.requestId ?? 'unknown';
  }
}
