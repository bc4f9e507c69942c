import { routes } from '../api/routes';
import { linkItemUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const linkItem = once(linkItemUseCase);

/** `POST /v1/plaid/items`: store a newly linked bank (never a second one for an institution). */
export const handler = httpHandler(routes.plaidLinkItem, async ({ auth, body }) =>
  json(201, await linkItem()(auth.userId, body.publicToken)),
);
