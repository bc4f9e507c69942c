import { httpFunction } from '../composition/http-function';
import { countedSignIn } from '../composition/metrics';
import { once } from '../composition/once';
import { startSocialSignInUseCase } from '../composition/social';
import { toSocialCredential } from '../domain/social-credentials';
import { json } from '../http/http-handler';

const startSocialSignIn = once(startSocialSignInUseCase);

/** `POST /v1/auth/social`: verify a provider credential, answer a PKCE-bound one-time code. */
export const handler = httpFunction('social', async ({ body, client }) =>
  json(
    200,
    await countedSignIn(
      body.provider,
      startSocialSignIn()(
        { credential: toSocialCredential(body), codeChallenge: body.codeChallenge },
        client,
      ),
    ),
  ),
);
