import { httpFunction } from '../composition/http-function';
import { changePhoneUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { stepUpCheck } from '../composition/step-up';
import { json } from '../http/http-handler';

const changePhone = once(changePhoneUseCase);

/** `PUT /v1/me/phone` (sensitive): replace the account's phone with a new one proven by a code. */
export const handler = httpFunction(
  'changePhone',
  async ({ auth, body, client }) => json(200, await changePhone()(auth.userId, body, client)),
  { sensitiveCheck: stepUpCheck },
);
