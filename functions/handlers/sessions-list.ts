import { listSessionsUseCase } from '../composition/accounts';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const listSessions = once(listSessionsUseCase);

/** `GET /v1/me/sessions`: the user's live sessions, the caller's marked `current`. */
export const handler = httpFunction('listSessions', async ({ auth }) =>
  json(200, { sessions: await listSessions()(auth.userId, auth.sessionId) }),
);
