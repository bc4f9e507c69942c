import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidTokenError } from '../../domain/errors';
import type { AuthenticatedCaller, HttpEvent, HttpResponse } from '../types';
import { stateOf } from './request-context';

/** The check a sensitive route runs before its handler: session liveness and step-up. */
export type SensitiveCheck = (caller: AuthenticatedCaller) => Promise<void>;

/**
 * Runs `check` (liveness + recent authentication, `domain/step-up.ts`) before the handler of a
 * sensitive route, after the body is validated; `when` narrows it to the requests that make a
 * sensitive change (`PATCH /v1/me` only when it changes the email).
 */
export function sensitiveRoute(
  check: SensitiveCheck,
  when: (body: unknown) => boolean = () => true,
): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = async (request: Request<HttpEvent, HttpResponse, Error, Context>): Promise<void> => {
    const state = stateOf(request);
    if (state.auth === undefined) throw new InvalidTokenError();
    if (when(state.body)) await check(state.auth);
  };
  return { before };
}
