import { routes } from '../api/routes';
import { signOutUseCase } from '../composition/accounts';
import { once } from '../composition/once';
import { httpHandler, noContent } from '../http/http-handler';

const signOut = once(signOutUseCase);

/** `POST /v1/auth/logout`: end this session, or all of them with `{allSessions: true}`. */
export const handler = httpHandler(routes.logout, async ({ body, auth, client }) => {
  await signOut()({ ...auth, allSessions: body?.allSessions === true }, client);
  return noContent();
});
