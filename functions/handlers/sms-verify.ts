import { countedSignIn } from '../adapters/operational-metrics';
import { routes } from '../api/routes';
import { verifySmsCodeUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { httpHandler } from '../http/http-handler';
import { tokenResponse } from '../http/token-response';

const verifySmsCode = once(verifySmsCodeUseCase);

/** `POST /v1/auth/sms/verify`: sign in with a phone and code; a new phone creates the account. */
export const handler = httpHandler(routes.smsVerify, async ({ body, client }) => {
  const grant = await countedSignIn('sms', verifySmsCode()(body.phone, body.code, client));
  const response = tokenResponse(200, grant);
  return { ...response, body: { ...(response.body as object), isNewUser: grant.isNewUser } };
});
