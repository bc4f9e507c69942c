import { routes } from '../api/routes';
import { unlinkIdentityUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { httpHandler, noContent } from '../http/http-handler';

const unlinkIdentity = once(unlinkIdentityUseCase);

/** `DELETE /v1/me/identities/{type}`: remove a way in, never the last. */
export const handler = httpHandler(routes.unlinkIdentity, async ({ auth, params, client }) => {
  await unlinkIdentity()(auth.userId, params.type, client);
  return noContent();
});
