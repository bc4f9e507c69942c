import { type RouteId, routes } from '../api/routes';
import { type HttpInput, httpHandler } from '../http/http-handler';
import type { SensitiveCheck } from '../http/middleware/sensitive-route';
import type { HttpResult } from '../http/types';
import { currentRuntime } from './runtime';
import { startFunction } from './start-function';

type Route<Id extends RouteId> = (typeof routes)[Id];

/** A sensitive route's function must be given its session check (`composition/step-up.ts`). */
type SensitiveOptions<Id extends RouteId> =
  Route<Id> extends { sensitive: unknown } ? [options: { sensitiveCheck: SensitiveCheck }] : [];

/**
 * The Lambda handler of route `id`: checks the configuration of the route's capabilities at cold
 * start, then wraps `handle` in the shared HTTP middleware stack with the deployment's CORS
 * origins (`CORS_ALLOWED_ORIGINS`). A sensitive route also takes the check that runs before
 * `handle` (the type requires it; only those functions bundle the session read).
 *
 * @example
 * export const handler = httpFunction('me', async ({ auth }) => json(200, await getMe()(auth.userId)));
 * export const handler = httpFunction('unlinkIdentity', unlink, { sensitiveCheck: stepUpCheck });
 */
export function httpFunction<Id extends RouteId>(
  id: Id,
  handle: (input: HttpInput<Route<Id>>) => Promise<HttpResult>,
  ...options: SensitiveOptions<Id>
) {
  startFunction(id, { http: true });
  return httpHandler(
    routes[id],
    { corsOrigins: currentRuntime().config.corsAllowedOrigins, ...(options[0] ?? {}) },
    handle,
  );
}
