import { httpFunction } from '../composition/http-function';
import { unlinkIdentityUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { stepUpCheck } from '../composition/step-up';
import { noContent } from '../http/http-handler';

const unlinkIdentity = once(unlinkIdentityUseCase);

/** `DELETE /v1/me/identities/{type}`: remove a way in, never the last. */
export const handler = httpFunction(
  'unlinkIdentity',
  async ({ auth, params, client }) => {
    await unlinkIdentity()(auth.userId, auth.sessionId, params.type, client);
    return noContent();
  },
  { sensitiveCheck: stepUpCheck },
);
