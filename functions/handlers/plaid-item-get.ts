import { getItemUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const getItem = once(getItemUseCase);

/** `GET /v1/plaid/items/{itemId}`: one bank link (another user's is a 404). */
export const handler = httpFunction('plaidGetItem', async ({ auth, params }) =>
  json(200, await getItem()(auth.userId, params.itemId)),
);
