import { routes } from '../api/routes';
import { getAccountUseCase } from '../composition/accounts';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const getAccount = once(getAccountUseCase);

/** `GET /v1/me`: the signed-in user with identities. */
export const handler = httpHandler(routes.me, async ({ auth }) => json(200, await getAccount()(auth.userId)));
