import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { setPasswordUseCase } from '../composition/passwords';
import { stepUpCheck } from '../composition/step-up';
import { noContent } from '../http/http-handler';

const setPassword = once(setPasswordUseCase);

/** `PUT /v1/me/password`: add a username + password, or change the password. */
export const handler = httpFunction(
  'setPassword',
  async ({ auth, body, client }) => {
    await setPassword()(auth.userId, auth.sessionId, body, client);
    return noContent();
  },
  { sensitiveCheck: stepUpCheck },
);
