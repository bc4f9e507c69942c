import type {
  CountryCode,
  InstitutionsGetByIdRequest,
  InstitutionsGetByIdResponse,
  ItemGetRequest,
  ItemGetResponse,
  ItemPublicTokenExchangeRequest,
  ItemPublicTokenExchangeResponse,
  ItemRemoveRequest,
  ItemWebhookUpdateRequest,
  LinkTokenCreateRequest,
  LinkTokenCreateResponse,
  LinkTokenGetRequest,
  LinkTokenGetResponse,
  PlaidError,
  WebhookVerificationKeyGetRequest,
  WebhookVerificationKeyGetResponse,
} from 'plaid';
import { PlaidRequestError } from '../domain/errors';
import type { InstitutionStatus } from '../domain/item-status';
import type { LinkTokenRequest, PlaidGateway, PlaidItemSnapshot } from '../domain/ports/plaid-gateway';
import { type Lazy, lazy } from './lazy';
import type { PlaidSettings } from './plaid-gateway';
import { linkSessionsOf, linkTokenCreateRequest } from './plaid-link-requests';
import { institutionStatusOf, lastSuccessfulUpdateOf, updateTypeOf } from './plaid-status';

/**
 * Plaid over `fetch`, typed with the official client's request and response types (imported as
 * types only, so nothing of the `plaid` package is loaded at run time). It sends what the
 * official client sends — a JSON POST to each endpoint with `PLAID-CLIENT-ID`, `PLAID-SECRET` and
 * `Plaid-Version: 2020-09-14` — and reads Plaid's error envelope the same way: a non-2xx answer
 * with `error_code` becomes {@link PlaidRequestError} with that code, type and HTTP status; a
 * timeout or network failure becomes `PLAID_UNREACHABLE`; a 429 without an envelope
 * `RATE_LIMIT_EXCEEDED`. No failure keeps the request, so none can carry the secret.
 *
 * Why not the official client: loading `plaid` (and axios) costs a cold container several
 * hundred milliseconds before its first Plaid call (docs/benchmarks.md). The contract test
 * `test/integration/plaid-gateways.test.ts` runs the same calls through both against the Plaid
 * emulator, whose wire format is checked with the official client.
 *
 * @example
 * const plaid = new PlaidFetchGateway(settings);
 * const { linkToken } = await plaid.createLinkToken({ userId });
 */
export class PlaidFetchGateway implements PlaidGateway {
  private readonly headers: Lazy<Record<string, string>>;

  constructor(private readonly settings: PlaidSettings) {
    // A failed secret read is not cached: the next call reads it again.
    this.headers = lazy(async () => ({
      'content-type': 'application/json',
      'PLAID-CLIENT-ID': settings.clientId,
      'PLAID-SECRET': await settings.secret(),
      'Plaid-Version': '2020-09-14',
    }));
  }

  async createLinkToken(input: LinkTokenRequest) {
    const response = await this.post<LinkTokenCreateRequest, LinkTokenCreateResponse>(
      '/link/token/create',
      linkTokenCreateRequest(this.settings, input),
    );
    return { linkToken: response.link_token, expiration: new Date(response.expiration).toISOString() };
  }

  async getLinkSessions(linkToken: string) {
    return linkSessionsOf(
      await this.post<LinkTokenGetRequest, LinkTokenGetResponse>('/link/token/get', {
        link_token: linkToken,
      }),
    );
  }

  async exchangePublicToken(publicToken: string) {
    const response = await this.post<ItemPublicTokenExchangeRequest, ItemPublicTokenExchangeResponse>(
      '/item/public_token/exchange',
      { public_token: publicToken },
    );
    return { accessToken: response.access_token, itemId: response.item_id };
  }

  async getItem(accessToken: string): Promise<PlaidItemSnapshot> {
    const { item, status } = await this.post<ItemGetRequest, ItemGetResponse>('/item/get', {
      access_token: accessToken,
    });
    return {
      itemId: item.item_id,
      institutionId: item.institution_id ?? 'unknown',
      institutionName: item.institution_name ?? undefined,
      // A broken Item is HTTP 200 with `item.error` filled.
      error:
        item.error === null || item.error === undefined
          ? undefined
          : { code: item.error.error_code, message: item.error.error_message },
      consentExpiresAt: item.consent_expiration_time ?? undefined,
      ...lastSuccessfulUpdateOf(status),
      ...updateTypeOf(item.update_type),
    };
  }

  async institutionStatus(institutionId: string): Promise<InstitutionStatus | undefined> {
    const { institution } = await this.post<InstitutionsGetByIdRequest, InstitutionsGetByIdResponse>(
      '/institutions/get_by_id',
      {
        institution_id: institutionId,
        country_codes: this.settings.countryCodes as CountryCode[],
        options: { include_status: true },
      },
    );
    return institutionStatusOf(institution.status?.item_logins?.status);
  }

  async removeItem(accessToken: string): Promise<void> {
    await this.post<ItemRemoveRequest, unknown>('/item/remove', { access_token: accessToken });
  }

  async updateWebhook(accessToken: string, url: string): Promise<void> {
    await this.post<ItemWebhookUpdateRequest, unknown>('/item/webhook/update', {
      access_token: accessToken,
      webhook: url,
    });
  }

  async webhookVerificationKey(kid: string) {
    const { key } = await this.post<WebhookVerificationKeyGetRequest, WebhookVerificationKeyGetResponse>(
      '/webhook_verification_key/get',
      { key_id: kid },
    );
    const {
      expired_at: expiredAt,
      created_at: _created,
      ...jwk
    } = key as typeof key & { expired_at?: number | null };
    return { jwk: jwk as Record<string, unknown>, expiredAt: expiredAt ?? null };
  }

  /** One Plaid call. Only Plaid's answers and the network's failures become PlaidRequestError. */
  private async post<Req, Res>(path: string, body: Req): Promise<Res> {
    const headers = await this.headers();
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.settings.basePath}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const reason = (error as { name?: string; cause?: { code?: unknown } }) ?? {};
      const code =
        typeof reason.cause?.code === 'string' ? reason.cause.code : (reason.name ?? 'network error');
      throw new PlaidRequestError('PLAID_UNREACHABLE', 'API_ERROR', undefined, `Plaid unreachable (${code})`);
    }
    const data = parse(text);
    if (response.ok && data !== undefined) return data as Res;
    const envelope = data as Partial<PlaidError> | undefined;
    if (!response.ok && typeof envelope?.error_code === 'string') {
      throw new PlaidRequestError(
        envelope.error_code,
        envelope.error_type ?? 'UNKNOWN',
        response.status,
        envelope.error_message ?? envelope.error_code,
      );
    }
    throw new PlaidRequestError(
      response.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'PLAID_UNREACHABLE',
      'API_ERROR',
      response.status,
      `Plaid HTTP ${response.status}`,
    );
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
