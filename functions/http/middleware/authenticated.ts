import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidTokenError } from '../../domain/errors';
import type { HttpEvent, HttpResponse } from '../types';
import { stateOf } from './request-context';

/**
 * Reads who the Lambda authorizer verified the caller to be. The authorizer (the only code that
 * checks tokens) puts `userId`, `sessionId` and `authTime` into its context when a token is good, and a
 * `rejected` reason when it is not. No user id means 401, so a route can never be reached
 * unauthenticated by a mistake in the gateway's configuration.
 */
export function authenticated(): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = (request: Request<HttpEvent, HttpResponse, Error, Context>): void => {
    const context = request.event.requestContext?.authorizer?.lambda ?? {};
    const { userId, sessionId, authTime } = context;
    if (typeof userId !== 'string' || typeof sessionId !== 'string' || userId === '' || sessionId === '') {
      throw new InvalidTokenError();
    }
    stateOf(request).auth = { userId, sessionId, ...(typeof authTime === 'number' ? { authTime } : {}) };
  };
  return { before };
}
