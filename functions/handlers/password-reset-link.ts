import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { resetPasswordWithLinkUseCase } from '../composition/recovery';
import { tokenResponse } from '../http/token-response';

const resetPassword = once(resetPasswordWithLinkUseCase);

/** `POST /v1/auth/password/reset/email/complete`: a mailed link's token sets a new password. */
export const handler = httpFunction('passwordResetLink', async ({ body, client }) =>
  tokenResponse(200, await resetPassword()(body, client)),
);
