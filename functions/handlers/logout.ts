import { signOutUseCase } from '../composition/accounts';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { noContent } from '../http/http-handler';

const signOut = once(signOutUseCase);

/** `POST /v1/auth/logout`: end this session, or all of them with `{allSessions: true}`. */
export const handler = httpFunction('logout', async ({ body, auth, client }) => {
  await signOut()({ ...auth, allSessions: body?.allSessions === true }, client);
  return noContent();
});
