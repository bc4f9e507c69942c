import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { linkSocialIdentityUseCase } from '../composition/social';
import { stepUpCheck } from '../composition/step-up';
import { toSocialCredential } from '../domain/social-credentials';
import { json } from '../http/http-handler';

const linkSocialIdentity = once(linkSocialIdentityUseCase);

/** `POST /v1/me/identities/social`: link a provider identity to the signed-in user. */
export const handler = httpFunction(
  'linkSocial',
  async ({ auth, body, client }) =>
    json(201, await linkSocialIdentity()(auth.userId, toSocialCredential(body), client)),
  { sensitiveCheck: stepUpCheck },
);
