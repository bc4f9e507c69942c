import { routes } from '../api/routes';
import { once } from '../composition/once';
import { setPasswordUseCase } from '../composition/passwords';
import { httpHandler, noContent } from '../http/http-handler';

const setPassword = once(setPasswordUseCase);

/** `PUT /v1/me/password`: add a username + password, or change the password. */
export const handler = httpHandler(routes.setPassword, async ({ auth, body, client }) => {
  await setPassword()(auth.userId, auth.sessionId, body, client);
  return noContent();
});
