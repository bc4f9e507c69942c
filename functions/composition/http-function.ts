import { type RouteId, routes } from '../api/routes';
import { type HttpInput, httpHandler } from '../http/http-handler';
import type { HttpResult } from '../http/types';
import { currentRuntime } from './runtime';
import { startFunction } from './start-function';

/**
 * The Lambda handler of route `id`: checks the configuration of the route's capabilities at cold
 * start, then wraps `handle` in the shared HTTP middleware stack with the deployment's CORS
 * origins (`CORS_ALLOWED_ORIGINS`).
 *
 * @example
 * export const handler = httpFunction('me', async ({ auth }) => json(200, await getMe()(auth.userId)));
 */
export function httpFunction<Id extends RouteId>(
  id: Id,
  handle: (input: HttpInput<(typeof routes)[Id]>) => Promise<HttpResult>,
) {
  startFunction(id, { http: true });
  return httpHandler(routes[id], { corsOrigins: currentRuntime().config.corsAllowedOrigins }, handle);
}
