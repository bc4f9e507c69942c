import { routes } from '../api/routes';
import { updateProfileUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const updateProfile = once(updateProfileUseCase);

/** `PATCH /v1/me`: display name, email, notification channels. */
export const handler = httpHandler(routes.updateMe, async ({ auth, body, client }) =>
  json(200, await updateProfile()(auth.userId, body, client)),
);
