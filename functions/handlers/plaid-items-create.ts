import { linkItemUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const linkItem = once(linkItemUseCase);

/** `POST /v1/plaid/items`: store a newly linked bank (never a second one for an institution). */
export const handler = httpFunction('plaidLinkItem', async ({ auth, body }) =>
  json(201, await linkItem()(auth.userId, body)),
);
