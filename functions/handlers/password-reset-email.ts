import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { requestPasswordResetEmailUseCase } from '../composition/recovery';
import { json } from '../http/http-handler';

const requestLink = once(requestPasswordResetEmailUseCase);

/** `POST /v1/auth/password/reset/email`: mail a reset link to the account's confirmed email. */
export const handler = httpFunction('passwordResetEmail', async ({ body, client }) =>
  json(202, await requestLink()(body, client)),
);
