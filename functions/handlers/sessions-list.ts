import { routes } from '../api/routes';
import { listSessionsUseCase } from '../composition/accounts';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const listSessions = once(listSessionsUseCase);

/** `GET /v1/me/sessions`: the user's live sessions, the caller's marked `current`. */
export const handler = httpHandler(routes.listSessions, async ({ auth }) =>
  json(200, { sessions: await listSessions()(auth.userId, auth.sessionId) }),
);
