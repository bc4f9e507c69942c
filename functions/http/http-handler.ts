import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type * as z from 'zod/mini';
import type { RouteDefinition } from '../api/routes';
import { InvariantError } from '../domain/errors';
import type { ClientInfo } from '../domain/model';
import { CORS_POLICY } from './cors-policy';
import { authenticated } from './middleware/authenticated';
import { bodyParser } from './middleware/body-parser';
import { problemErrors } from './middleware/problem-errors';
import { requestContext, stateOf } from './middleware/request-context';
import { type SensitiveCheck, sensitiveRoute } from './middleware/sensitive-route';
import { validator } from './middleware/validator';
import type { AuthenticatedCaller, HttpEvent, HttpResponse, HttpResult } from './types';

type Infer<S> = S extends z.ZodMiniType ? z.infer<S> : undefined;

/** What a handler gets: validated input and who is calling. */
export interface HttpInput<R extends RouteDefinition> {
  body: Infer<R['body']>;
  query: Infer<R['query']>;
  params: Infer<R['params']>;
  /** Set on `user` routes: the subject the authorizer verified. */
  auth: R['auth'] extends 'user' ? AuthenticatedCaller : undefined;
  client: ClientInfo;
  requestId: string;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received, for signature checks. */
  rawBody: string;
}

/** What the HTTP layer is given by the composition root, instead of reading configuration itself. */
export interface HttpSettings {
  /** Origins a browser may call from (`*`, or exact origins), from `CORS_ALLOWED_ORIGINS`. */
  corsOrigins: readonly string[];
  /** Liveness + step-up, run before the handler of a `sensitive` route (required for those). */
  sensitiveCheck?: SensitiveCheck;
}

/**
 * Wraps a route's handler in the one middleware stack every HTTP function uses: request id and
 * access log, CORS, security headers, header normalisation, problem+json errors, the
 * authorizer's verdict, body parsing and schema validation, and for a sensitive route the
 * session's liveness and step-up check. What is left for the handler is to call its use case and
 * answer.
 *
 * @example
 * export const handler = httpHandler(routes.me, { corsOrigins: ['*'] }, async ({ auth }) =>
 *   json(200, await getMe(auth.userId)),
 * );
 */
export function httpHandler<R extends RouteDefinition>(
  route: R,
  settings: HttpSettings,
  handle: (input: HttpInput<R>) => Promise<HttpResult>,
) {
  const stack = middy<HttpEvent, HttpResponse>()
    .use(requestContext({ routeId: `${route.method} ${route.path}` }))
    .use(
      httpCors({
        origins: [...settings.corsOrigins],
        headers: CORS_POLICY.allowHeaders.join(','),
        exposeHeaders: CORS_POLICY.exposeHeaders.join(','),
        maxAge: CORS_POLICY.maxAgeSeconds,
      }),
    )
    .use(httpSecurityHeaders())
    .use(httpHeaderNormalizer())
    .use(problemErrors({ format: route.errorFormat ?? 'problem' }));
  if (route.auth === 'user') stack.use(authenticated());
  stack.use(bodyParser({ formats: route.bodyFormats ?? ['json'] })).use(
    validator({
      ...(route.body === undefined ? {} : { body: route.body }),
      ...(route.query === undefined ? {} : { query: route.query }),
      ...(route.params === undefined ? {} : { params: route.params }),
    }),
  );
  if (route.sensitive !== undefined) {
    if (settings.sensitiveCheck === undefined) {
      throw new InvariantError(`${route.method} ${route.path} is sensitive but was given no session check.`);
    }
    const when = route.sensitive === true ? undefined : route.sensitive.when;
    stack.use(sensitiveRoute(settings.sensitiveCheck, when));
  }
  return stack.handler(async (event): Promise<HttpResponse> => {
    const state = stateOf({ event });
    const result = await handle({
      body: state.body,
      query: event.queryStringParameters ?? {},
      params: event.pathParameters ?? {},
      auth: state.auth,
      client: state.client,
      requestId: state.requestId,
      headers: event.headers ?? {},
      rawBody: state.rawBody ?? '',
    } as HttpInput<R>);
    return toResponse(result);
  });
}

function toResponse(result: HttpResult): HttpResponse {
  return {
    statusCode: result.status,
    headers: {
      ...(result.body === undefined ? {} : { 'content-type': 'application/json' }),
      'cache-control': 'no-store',
      ...(result.headers ?? {}),
    },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
  };
}

/** A JSON answer. */
export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResult => ({
  status,
  body,
  ...(headers === undefined ? {} : { headers }),
});

/** 204 No Content. */
export const noContent = (): HttpResult => ({ status: 204 });
