import { httpFunction } from '../composition/http-function';
import { linkPhoneUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { stepUpCheck } from '../composition/step-up';
import { json } from '../http/http-handler';

const linkPhone = once(linkPhoneUseCase);

/** `POST /v1/me/identities/phone`: link a phone proven by a code. */
export const handler = httpFunction(
  'linkPhone',
  async ({ auth, body, client }) => json(201, await linkPhone()(auth.userId, body, client)),
  { sensitiveCheck: stepUpCheck },
);
