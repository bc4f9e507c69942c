import { httpFunction } from '../composition/http-function';
import { verifySmsCodeUseCase } from '../composition/identities';
import { countedSignIn } from '../composition/metrics';
import { once } from '../composition/once';
import { tokenResponse } from '../http/token-response';

const verifySmsCode = once(verifySmsCodeUseCase);

/** `POST /v1/auth/sms/verify`: sign in with a phone and code; a new phone creates the account. */
export const handler = httpFunction('smsVerify', async ({ body, client }) => {
  const grant = await countedSignIn('sms', verifySmsCode()(body.phone, body.code, client));
  const response = tokenResponse(200, grant);
  return { ...response, body: { ...(response.body as object), isNewUser: grant.isNewUser } };
});
