/**
 * Keeps calls to Plaid about one Item within Plaid's per-Item limit (15 `/item/get` a minute):
 * `turn` resolves when the next call may be made, and counts it.
 */
export interface ItemCallPacer {
  turn(itemId: string): Promise<void>;
}
