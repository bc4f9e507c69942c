import { countedSignUp } from '../adapters/operational-metrics';
import { routes } from '../api/routes';
import { once } from '../composition/once';
import { registerUseCase } from '../composition/passwords';
import { httpHandler } from '../http/http-handler';
import { tokenResponse } from '../http/token-response';

const register = once(registerUseCase);

/** `POST /v1/auth/register`: create an account with a username and password. */
export const handler = httpHandler(routes.register, async ({ body, client }) =>
  tokenResponse(201, await countedSignUp(register()(body, client))),
);
