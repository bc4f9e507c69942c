import { countedSignIn } from '../adapters/operational-metrics';
import { routes } from '../api/routes';
import { once } from '../composition/once';
import { signInUseCase } from '../composition/passwords';
import { httpHandler } from '../http/http-handler';
import { tokenResponse } from '../http/token-response';

const signIn = once(signInUseCase);

/** `POST /v1/auth/login`: sign in with a username and password, under the lockout policy. */
export const handler = httpHandler(routes.login, async ({ body, client }) =>
  tokenResponse(200, await countedSignIn('password', signIn()(body, client))),
);
