import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { resetPasswordWithCodeUseCase } from '../composition/recovery';
import { tokenResponse } from '../http/token-response';

const resetPassword = once(resetPasswordWithCodeUseCase);

/** `POST /v1/auth/password/reset`: a code texted to the account's phone sets a new password. */
export const handler = httpFunction('passwordReset', async ({ body, client }) =>
  tokenResponse(200, await resetPassword()(body, client)),
);
