import { removeItemUseCase } from '../composition/bank-links';
import { httpFunction } from '../composition/http-function';
import { once } from '../composition/once';
import { noContent } from '../http/http-handler';

const removeItem = once(removeItemUseCase);

/** `DELETE /v1/plaid/items/{itemId}`: remove at Plaid, then here. */
export const handler = httpFunction('plaidRemoveItem', async ({ auth, params }) => {
  await removeItem()(auth.userId, params.itemId);
  return noContent();
});
