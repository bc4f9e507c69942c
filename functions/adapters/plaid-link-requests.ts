import type { CountryCode, LinkTokenCreateRequest, LinkTokenGetResponse, Products } from 'plaid';
import type { LinkSessionSummary, LinkTokenRequest } from '../domain/ports/plaid-gateway';

/** The Link settings both gateways hold (a slice of their `PlaidSettings`). */
export interface LinkSettings {
  clientName: string;
  products: string[];
  countryCodes: string[];
  webhookUrl: string | undefined;
  redirectUri?: string | undefined;
  androidPackageName?: string | undefined;
  linkCustomizationName?: string | undefined;
}

/**
 * The `/link/token/create` body for `input`, the same for both gateways (types only from `plaid`,
 * so nothing of it loads at run time):
 * - a new link names the products and the webhook;
 * - update mode names the Item's access token and neither: Plaid ignores `webhook` there
 *   (OpenAPI 2020-09-14, `LinkTokenCreateRequest.webhook`: "In update mode, this field will not
 *   have an effect"), and `update.account_selection_enabled` when asked (update mode with
 *   Account Select, https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts);
 * - `android` sends `android_package_name`, `ios` and `web` send `redirect_uri`, when configured
 *   (https://plaid.com/docs/link/oauth/: one of them is required for OAuth institutions, and
 *   `redirect_uri` must be left out when `android_package_name` is given);
 * - `link_customization_name` when configured.
 */
export function linkTokenCreateRequest(
  settings: LinkSettings,
  input: LinkTokenRequest,
): LinkTokenCreateRequest {
  const platform = input.platform;
  return {
    client_name: settings.clientName,
    language: 'en',
    country_codes: settings.countryCodes as CountryCode[],
    user: { client_user_id: input.userId },
    ...(input.accessToken === undefined
      ? {
          products: settings.products as Products[],
          ...(settings.webhookUrl === undefined ? {} : { webhook: settings.webhookUrl }),
        }
      : {
          access_token: input.accessToken,
          ...(input.accountSelection === true ? { update: { account_selection_enabled: true } } : {}),
        }),
    ...(platform === 'android' && settings.androidPackageName !== undefined
      ? { android_package_name: settings.androidPackageName }
      : {}),
    ...((platform === 'ios' || platform === 'web') && settings.redirectUri !== undefined
      ? { redirect_uri: settings.redirectUri }
      : {}),
    ...(settings.linkCustomizationName === undefined
      ? {}
      : { link_customization_name: settings.linkCustomizationName }),
  };
}

/**
 * The Link sessions of a `/link/token/get` answer with the Items they added: `results.
 * item_add_results` (OpenAPI `LinkSessionItemAddResult`), or the deprecated `on_success` of
 * older integrations.
 */
export function linkSessionsOf(response: LinkTokenGetResponse): LinkSessionSummary[] {
  return (response.link_sessions ?? []).map((session) => {
    const adds = session.results?.item_add_results ?? [];
    const legacy = session.on_success;
    const itemAdds =
      adds.length > 0
        ? adds.map((add) => ({
            publicToken: add.public_token,
            institutionId: add.institution?.institution_id ?? undefined,
            institutionName: add.institution?.name ?? undefined,
            accountMasks: add.accounts.flatMap((a) => (typeof a.mask === 'string' ? [a.mask] : [])),
          }))
        : legacy === null || legacy === undefined
          ? []
          : [
              {
                publicToken: legacy.public_token,
                institutionId: legacy.metadata?.institution?.institution_id ?? undefined,
                institutionName: legacy.metadata?.institution?.name ?? undefined,
                accountMasks: (legacy.metadata?.accounts ?? []).flatMap((a) =>
                  typeof a.mask === 'string' ? [a.mask] : [],
                ),
              },
            ];
    return { linkSessionId: session.link_session_id, itemAdds };
  });
}
