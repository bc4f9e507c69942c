import type { AxiosError } from 'axios';
import type { CountryCode, PlaidApi } from 'plaid';
import { PlaidRequestError } from '../domain/errors';
import type { InstitutionStatus } from '../domain/item-status';
import type { LinkTokenRequest, PlaidGateway, PlaidItemSnapshot } from '../domain/ports/plaid-gateway';
import { type Lazy, lazy } from './lazy';
import { linkSessionsOf, linkTokenCreateRequest } from './plaid-link-requests';
import { institutionStatusOf, lastSuccessfulUpdateOf, updateTypeOf } from './plaid-status';

export interface PlaidSettings {
  basePath: string;
  clientId: string;
  /** Read lazily: from Secrets Manager in AWS. */
  secret: Lazy<string>;
  clientName: string;
  products: string[];
  countryCodes: string[];
  webhookUrl: string | undefined;
  timeoutMs: number;
  /** Where Link returns after a bank's OAuth page on iOS and the web (registered with Plaid). */
  redirectUri?: string | undefined;
  /** The Android app's package name, which Link returns to after OAuth on Android. */
  androidPackageName?: string | undefined;
  /** A Link customization made in Plaid's dashboard. */
  linkCustomizationName?: string | undefined;
}

/**
 * Plaid through its official client (`plaid`, axios-based). Plaid's and the network's failures
 * become {@link PlaidRequestError} with Plaid's `error_code` from `error.response.data`; the
 * axios error itself is dropped at once, because its `config` carries our secret. Anything else
 * (our own bug, a failed secret read) is not Plaid's failure and passes through unchanged.
 *
 * @example
 * const plaid = new PlaidClientGateway(settings);
 * const { linkToken } = await plaid.createLinkToken({ userId });
 */
export class PlaidClientGateway implements PlaidGateway {
  /** The client, built once its secret is read; a failed read is retried by the next call. */
  private readonly api: Lazy<PlaidApi>;

  constructor(private readonly settings: PlaidSettings) {
    this.api = lazy(() => this.createClient());
  }

  async createLinkToken(input: LinkTokenRequest) {
    const api = await this.api();
    const response = await call(() => api.linkTokenCreate(linkTokenCreateRequest(this.settings, input)));
    return { linkToken: response.link_token, expiration: new Date(response.expiration).toISOString() };
  }

  async getLinkSessions(linkToken: string) {
    const api = await this.api();
    return linkSessionsOf(await call(() => api.linkTokenGet({ link_token: linkToken })));
  }

  async exchangePublicToken(publicToken: string) {
    const api = await this.api();
    const response = await call(() => api.itemPublicTokenExchange({ public_token: publicToken }));
    return { accessToken: response.access_token, itemId: response.item_id };
  }

  async getItem(accessToken: string): Promise<PlaidItemSnapshot> {
    const api = await this.api();
    const { item, status } = await call(() => api.itemGet({ access_token: accessToken }));
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
    const api = await this.api();
    const { institution } = await call(() =>
      api.institutionsGetById({
        institution_id: institutionId,
        country_codes: this.settings.countryCodes as CountryCode[],
        options: { include_status: true },
      }),
    );
    return institutionStatusOf(institution.status?.item_logins?.status);
  }

  async removeItem(accessToken: string): Promise<void> {
    const api = await this.api();
    await call(() => api.itemRemove({ access_token: accessToken }));
  }

  async updateWebhook(accessToken: string, url: string): Promise<void> {
    const api = await this.api();
    await call(() => api.itemWebhookUpdate({ access_token: accessToken, webhook: url }));
  }

  async webhookVerificationKey(kid: string) {
    const api = await this.api();
    const { key } = await call(() => api.webhookVerificationKeyGet({ key_id: kid }));
    const {
      expired_at: expiredAt,
      created_at: _created,
      ...jwk
    } = key as typeof key & { expired_at?: number | null };
    return { jwk: jwk as Record<string, unknown>, expiredAt: expiredAt ?? null };
  }

  private async createClient(): Promise<PlaidApi> {
    const { Configuration, PlaidApi } = await import('plaid');
    const secret = await this.settings.secret();
    return new PlaidApi(
      new Configuration({
        basePath: this.settings.basePath,
        baseOptions: {
          timeout: this.settings.timeoutMs,
          headers: {
            'PLAID-CLIENT-ID': this.settings.clientId,
            'PLAID-SECRET': secret,
            'Plaid-Version': '2020-09-14',
          },
        },
      }),
    );
  }
}

/**
 * Runs a Plaid call, translating Plaid's and the network's failures at the edge. Every failure
 * of a request the client sent is an axios error (`isAxiosError`); anything else thrown here is
 * a bug on our side and must stay a 500 with its cause logged, not pass for "Plaid unavailable".
 */
async function call<T>(request: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await request()).data;
  } catch (error) {
    if (isAxiosError(error)) throw toPlaidError(error);
    throw error;
  }
}

/** Whether `error` is the failure of an HTTP request axios sent (or tried to send). */
export function isAxiosError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/** Plaid's envelope, or PLAID_UNREACHABLE for timeouts and network failures. Never keeps `config`. */
export function toPlaidError(error: unknown): PlaidRequestError {
  const axiosError = error as AxiosError<{
    error_code?: string;
    error_type?: string;
    error_message?: string;
  }>;
  const data = axiosError?.response?.data;
  if (data !== undefined && typeof data === 'object' && typeof data.error_code === 'string') {
    return new PlaidRequestError(
      data.error_code,
      data.error_type ?? 'UNKNOWN',
      axiosError.response?.status,
      data.error_message ?? data.error_code,
    );
  }
  const status = axiosError?.response?.status;
  return new PlaidRequestError(
    status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'PLAID_UNREACHABLE',
    'API_ERROR',
    status,
    status === undefined
      ? `Plaid unreachable (${axiosError?.code ?? 'network error'})`
      : `Plaid HTTP ${status}`,
  );
}
