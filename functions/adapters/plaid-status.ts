import type { InstitutionStatus } from '../domain/item-status';
import type { ItemUpdateType } from '../domain/ports/plaid-gateway';

/** Plaid's `item.update_type`, if it is one we know. */
export function updateTypeOf(updateType: string | null | undefined): { updateType?: ItemUpdateType } {
  return updateType === 'background' || updateType === 'user_present_required' ? { updateType } : {};
}

/** Plaid's `status.transactions.last_successful_update` of an `/item/get` answer, if it says. */
export function lastSuccessfulUpdateOf(
  status: { transactions?: { last_successful_update?: string | null } | null } | null | undefined,
): { lastSuccessfulUpdate?: string | null } {
  const update = status?.transactions?.last_successful_update;
  if (update === undefined) return {};
  return { lastSuccessfulUpdate: update === null ? null : new Date(update).toISOString() };
}

/** Plaid's `HEALTHY` / `DEGRADED` / `DOWN`, lower-cased; anything else is unknown. */
export function institutionStatusOf(status: string | undefined): InstitutionStatus | undefined {
  switch (status) {
    case 'HEALTHY':
      return 'healthy';
    case 'DEGRADED':
      return 'degraded';
    case 'DOWN':
      return 'down';
    default:
      return undefined;
  }
}
