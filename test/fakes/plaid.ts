import { PlaidRequestError, WebhookRejectedError } from '../../functions/domain/errors';
import type { InstitutionStatus } from '../../functions/domain/item-status';
import type {
  LinkSessionSummary,
  LinkTokenRequest,
  PlaidGateway,
  PlaidItemSnapshot,
} from '../../functions/domain/ports/plaid-gateway';
import type { WebhookVerifier } from '../../functions/domain/ports/webhook-verifier';

type Call = { method: keyof PlaidGateway; argument: string };

/**
 * {@link PlaidGateway} over Items the test defines. `link(publicToken, snapshot)` makes a public
 * token that exchanges for a new Item; `failures` makes the next call of a method fail with a
 * Plaid error code (or `PLAID_UNREACHABLE`). Every call is recorded.
 */
export class FakePlaidGateway implements PlaidGateway {
  /** Access token → what `/item/get` answers. Change a snapshot to break or repair an Item. */
  readonly items = new Map<string, PlaidItemSnapshot>();
  readonly removed: string[] = [];
  readonly webhooks = new Map<string, string>();
  readonly calls: Call[] = [];
  /** Method → Plaid error codes its next calls fail with, one per call. */
  readonly failures = new Map<keyof PlaidGateway, string[]>();
  /** Institution id → what `/institutions/get_by_id` reports for its item logins (healthy if unset). */
  readonly institutions = new Map<string, InstitutionStatus>();
  private readonly publicTokens = new Map<string, string>();
  private counter = 0;

  /** Link token → its Link sessions, as `/link/token/get` lists them. */
  readonly sessions = new Map<string, LinkSessionSummary[]>();
  /** Every `createLinkToken` input, in order. */
  readonly linkTokenRequests: LinkTokenRequest[] = [];

  /**
   * A public token that Link would hand over for this Item (in a session of `linkToken`, if
   * given, sharing accounts with `accountMasks`); returns its access token.
   */
  link(
    publicToken: string,
    snapshot: Omit<PlaidItemSnapshot, 'error' | 'consentExpiresAt'> & Partial<PlaidItemSnapshot>,
    session: { linkToken?: string; accountMasks?: string[] } = {},
  ) {
    const accessToken = `access-fake-${snapshot.itemId}`;
    this.items.set(accessToken, { error: undefined, consentExpiresAt: undefined, ...snapshot });
    this.publicTokens.set(publicToken, accessToken);
    if (session.linkToken !== undefined) {
      const sessions = this.sessions.get(session.linkToken) ?? [];
      sessions.push({
        linkSessionId: `session-${sessions.length + 1}`,
        itemAdds: [
          {
            publicToken,
            institutionId: snapshot.institutionId,
            institutionName: snapshot.institutionName,
            accountMasks: session.accountMasks ?? ['0000'],
          },
        ],
      });
      this.sessions.set(session.linkToken, sessions);
    }
    return accessToken;
  }

  /** Makes the next call of `method` fail with Plaid's `code`. */
  failNext(method: keyof PlaidGateway, code: string): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), code]);
  }

  async createLinkToken(input: LinkTokenRequest) {
    this.record('createLinkToken', input.accessToken ?? input.userId);
    this.linkTokenRequests.push({ ...input });
    this.counter += 1;
    return { linkToken: `link-fake-${this.counter}`, expiration: '2099-01-01T00:00:00.000Z' };
  }

  async getLinkSessions(linkToken: string) {
    this.record('getLinkSessions', linkToken);
    return (this.sessions.get(linkToken) ?? []).map((s) => ({ ...s, itemAdds: [...s.itemAdds] }));
  }

  async exchangePublicToken(publicToken: string) {
    this.record('exchangePublicToken', publicToken);
    const accessToken = this.publicTokens.get(publicToken);
    if (accessToken === undefined) throw plaidError('INVALID_PUBLIC_TOKEN', 'INVALID_INPUT', 400);
    this.publicTokens.delete(publicToken);
    return { accessToken, itemId: this.snapshot(accessToken).itemId };
  }

  async getItem(accessToken: string): Promise<PlaidItemSnapshot> {
    this.record('getItem', accessToken);
    return { ...this.snapshot(accessToken) };
  }

  async removeItem(accessToken: string): Promise<void> {
    this.record('removeItem', accessToken);
    this.snapshot(accessToken);
    this.items.delete(accessToken);
    this.removed.push(accessToken);
  }

  async updateWebhook(accessToken: string, url: string): Promise<void> {
    this.record('updateWebhook', accessToken);
    this.snapshot(accessToken);
    this.webhooks.set(accessToken, url);
  }

  async institutionStatus(institutionId: string): Promise<InstitutionStatus | undefined> {
    this.record('institutionStatus', institutionId);
    return this.institutions.get(institutionId) ?? 'healthy';
  }

  async webhookVerificationKey(kid: string) {
    this.record('webhookVerificationKey', kid);
    return { jwk: { kid, kty: 'EC', crv: 'P-256' }, expiredAt: null };
  }

  private record(method: keyof PlaidGateway, argument: string): void {
    this.calls.push({ method, argument });
    const code = this.failures.get(method)?.shift();
    if (code === undefined) return;
    throw code === 'PLAID_UNREACHABLE'
      ? plaidError(code, 'API_ERROR', undefined)
      : plaidError(code, code.startsWith('INVALID') ? 'INVALID_INPUT' : 'ITEM_ERROR', 400);
  }

  private snapshot(accessToken: string): PlaidItemSnapshot {
    const snapshot = this.items.get(accessToken);
    if (snapshot === undefined) throw plaidError('ITEM_NOT_FOUND', 'ITEM_ERROR', 400);
    return snapshot;
  }
}

function plaidError(code: string, type: string, status: number | undefined): PlaidRequestError {
  return new PlaidRequestError(code, type, status, `Plaid said ${code}`);
}

/**
 * {@link WebhookVerifier} that trusts tokens of the form `valid:<issuedAt ISO>` and rejects the
 * rest, as the real one rejects anything not signed by Plaid.
 */
export class FakeWebhookVerifier implements WebhookVerifier {
  async verify(token: string | undefined, _rawBody: string, _now: Date): Promise<{ issuedAt: Date }> {
    if (token === undefined || !token.startsWith('valid:'))
      throw new WebhookRejectedError('not signed by Plaid');
    return { issuedAt: new Date(token.slice('valid:'.length)) };
  }
}
