import { httpFunction } from '../composition/http-function';
import { getAccountUseCase } from '../composition/identities';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const getAccount = once(getAccountUseCase);

/** `GET /v1/me`: the signed-in user with identities. */
export const handler = httpFunction('me', async ({ auth }) => json(200, await getAccount()(auth.userId)));
