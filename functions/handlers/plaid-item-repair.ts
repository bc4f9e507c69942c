import { repairItemUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { json } from '../http/http-handler';

const repairItem = once(repairItemUseCase);

/** `POST /v1/plaid/items/{itemId}/repair`: verify a repair with Plaid (409 STILL_BROKEN if not). */
export const handler = httpFunction('plaidRepairItem', async ({ auth, params, body }) =>
  json(200, await repairItem()(auth.userId, params.itemId, body?.metadata)),
);
