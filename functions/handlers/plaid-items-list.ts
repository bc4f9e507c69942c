import { routes } from '../api/routes';
import { listItemsUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const listItems = once(listItemsUseCase);

/** `GET /v1/plaid/items`: the user's bank links. */
export const handler = httpHandler(routes.plaidListItems, async ({ auth }) =>
  json(200, { items: await listItems()(auth.userId) }),
);
