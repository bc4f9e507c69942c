import { httpFunction } from '../composition/http-function';
import { countedSignUp } from '../composition/metrics';
import { once } from '../composition/once';
import { registerUseCase } from '../composition/passwords';
import { tokenResponse } from '../http/token-response';

const register = once(registerUseCase);

/** `POST /v1/auth/register`: create an account with a username and password. */
export const handler = httpFunction('register', async ({ body, client }) =>
  tokenResponse(201, await countedSignUp(register()(body, client))),
);
