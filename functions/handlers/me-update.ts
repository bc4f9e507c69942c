import { httpFunction } from '../composition/http-function';
import { updateProfileUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { stepUpCheck } from '../composition/step-up';
import { json } from '../http/http-handler';

const updateProfile = once(updateProfileUseCase);

/** `PATCH /v1/me`: display name, email, notification channels. */
export const handler = httpFunction(
  'updateMe',
  async ({ auth, body, client }) => json(200, await updateProfile()(auth.userId, body, client)),
  { sensitiveCheck: stepUpCheck },
);
