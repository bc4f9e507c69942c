import { httpFunction } from '../composition/http-function';
import { countedSignIn } from '../composition/metrics';
import { once } from '../composition/once';
import { completeReverifyUseCase } from '../composition/recovery';
import { tokenResponse } from '../http/token-response';

const completeReverify = once(completeReverifyUseCase);

/** `POST /v1/auth/sms/reverify`: finish an SMS sign-in held for a dormant account. */
export const handler = httpFunction('smsReverify', async ({ body, client }) => {
  const grant = await countedSignIn('sms', completeReverify()(body, client));
  const response = tokenResponse(200, grant);
  return { ...response, body: { ...(response.body as object), isNewUser: grant.isNewUser } };
});
