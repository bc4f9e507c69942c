import { routes } from '../api/routes';
import { repairItemUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, json } from '../http/http-handler';

const repairItem = once(repairItemUseCase);

/** `POST /v1/plaid/items/{itemId}/repair`: verify a repair with Plaid (409 STILL_BROKEN if not). */
export const handler = httpHandler(routes.plaidRepairItem, async ({ auth, params }) =>
  json(200, await repairItem()(auth.userId, params.itemId)),
);
