import type { Clock } from '../domain/clock';
import type { InstitutionStatus } from '../domain/item-status';
import type { PlaidGateway } from '../domain/ports/plaid-gateway';

/** How long an institution's status is reused: Plaid refreshes it every few minutes. */
export const INSTITUTION_STATUS_TTL_SECONDS = 5 * 60;

/**
 * {@link PlaidGateway} whose `institutionStatus` is cached per institution for a few minutes in
 * the container (one `/institutions/get_by_id` per institution per pass, however many of its
 * Items break at once); every other call goes straight to `plaid`. A failed lookup is not cached.
 *
 * @example
 * const plaid = withInstitutionStatusCache(new PlaidFetchGateway(settings), clock);
 */
export function withInstitutionStatusCache(
  plaid: PlaidGateway,
  clock: Clock,
  ttlSeconds = INSTITUTION_STATUS_TTL_SECONDS,
): PlaidGateway {
  const cache = new Map<string, { status: InstitutionStatus | undefined; until: number }>();
  return {
    createLinkToken: (input) => plaid.createLinkToken(input),
    exchangePublicToken: (publicToken) => plaid.exchangePublicToken(publicToken),
    getItem: (accessToken) => plaid.getItem(accessToken),
    removeItem: (accessToken) => plaid.removeItem(accessToken),
    updateWebhook: (accessToken, url) => plaid.updateWebhook(accessToken, url),
    webhookVerificationKey: (kid) => plaid.webhookVerificationKey(kid),
    getLinkSessions: (linkToken) => plaid.getLinkSessions(linkToken),
    async institutionStatus(institutionId) {
      const now = clock.now().getTime();
      const cached = cache.get(institutionId);
      if (cached !== undefined && cached.until > now) return cached.status;
      const status = await plaid.institutionStatus(institutionId);
      cache.set(institutionId, { status, until: now + ttlSeconds * 1000 });
      return status;
    },
  };
}
