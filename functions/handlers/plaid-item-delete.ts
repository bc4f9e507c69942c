import { routes } from '../api/routes';
import { removeItemUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { httpHandler, noContent } from '../http/http-handler';

const removeItem = once(removeItemUseCase);

/** `DELETE /v1/plaid/items/{itemId}`: remove at Plaid, then here. */
export const handler = httpHandler(routes.plaidRemoveItem, async ({ auth, params }) => {
  await removeItem()(auth.userId, params.itemId);
  return noContent();
});
