import { httpFunction } from '../composition/http-function';
import { countedSignIn } from '../composition/metrics';
import { once } from '../composition/once';
import { signInUseCase } from '../composition/passwords';
import { tokenResponse } from '../http/token-response';

const signIn = once(signInUseCase);

/** `POST /v1/auth/login`: sign in with a username and password, under the lockout policy. */
export const handler = httpFunction('login', async ({ body, client }) =>
  tokenResponse(200, await countedSignIn('password', signIn()(body, client))),
);
