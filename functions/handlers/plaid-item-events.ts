import { listItemEventsUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const listItemEvents = once(listItemEventsUseCase);

/** `GET /v1/plaid/items/{itemId}/events`: the Item's history. */
export const handler = httpFunction('plaidItemEvents', async ({ auth, params, query }) =>
  json(200, await listItemEvents()(auth.userId, params.itemId, query.cursor)),
);
