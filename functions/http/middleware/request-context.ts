import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvariantError } from '../../domain/errors';
import { logger } from '../logger';
import type { HttpEvent, HttpResponse, RequestState } from '../types';

type HttpRequest = Request<HttpEvent, HttpResponse, Error, Context>;

// Keyed by the event object, which middy hands both to the middlewares and to the handler.
const states = new WeakMap<object, RequestState>();

/** The per-request state, created by {@link requestContext}. */
export function stateOf(request: { event: HttpEvent }): RequestState {
  const state = states.get(request.event);
  if (state === undefined) throw new InvariantError('requestContext() must run first.');
  return state;
}

/**
 * Gives every request an id (API Gateway's, or a new one locally), tags logs with it, answers
 * with `x-request-id`, and writes one access-log line per request: method, route, status,
 * duration. Never the body, never a header.
 */
export function requestContext(options: { routeId: string }): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = (request: HttpRequest): void => {
    const event = request.event;
    const requestId = event.requestContext?.requestId || randomUUID();
    const userAgent = event.headers?.['user-agent'] ?? event.headers?.['User-Agent'];
    const state: RequestState = {
      requestId,
      startedAt: performance.now(),
      client: {
        ...(event.requestContext?.http?.sourceIp ? { ip: event.requestContext.http.sourceIp } : {}),
        ...(userAgent ? { userAgent } : {}),
      },
    };
    states.set(event, state);
    logger.appendKeys({ requestId, route: options.routeId });
  };

  const after = (request: HttpRequest): void => {
    const state = stateOf(request);
    const response = request.response ?? { statusCode: 500 };
    response.headers = { ...(response.headers ?? {}), 'x-request-id': state.requestId };
    request.response = response;
    logger.info('request', {
      method: request.event.requestContext?.http?.method,
      status: response.statusCode,
      durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
      ...(state.auth === undefined ? {} : { userId: state.auth.userId }),
    });
    logger.resetKeys();
  };

  return { before, after, onError: after };
}
