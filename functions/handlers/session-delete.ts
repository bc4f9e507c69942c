import { routes } from '../api/routes';
import { revokeSessionUseCase } from '../composition/accounts';
import { once } from '../composition/once';
import { httpHandler, noContent } from '../http/http-handler';

const revokeSession = once(revokeSessionUseCase);

/** `DELETE /v1/me/sessions/{sessionId}`: end one of the user's sessions. */
export const handler = httpHandler(routes.deleteSession, async ({ auth, params, client }) => {
  await revokeSession()(auth.userId, params.sessionId, client);
  return noContent();
});
