import { revokeSessionUseCase } from '../composition/accounts';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { noContent } from '../http/http-handler';

const revokeSession = once(revokeSessionUseCase);

/** `DELETE /v1/me/sessions/{sessionId}`: end one of the user's sessions. */
export const handler = httpFunction('deleteSession', async ({ auth, params, client }) => {
  await revokeSession()(auth.userId, params.sessionId, client);
  return noContent();
});
