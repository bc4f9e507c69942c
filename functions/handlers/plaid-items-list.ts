import { listItemsUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const listItems = once(listItemsUseCase);

/** `GET /v1/plaid/items`: the user's bank links. */
export const handler = httpFunction('plaidListItems', async ({ auth }) =>
  json(200, { items: await listItems()(auth.userId) }),
);
