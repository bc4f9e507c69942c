import type {
  InstitutionsGetByIdResponse,
  ItemGetResponse,
  ItemPublicTokenExchangeResponse,
  ItemRemoveResponse,
  ItemWebhookUpdateResponse,
  LinkTokenCreateResponse,
  LinkTokenGetResponse,
  Products,
  SandboxItemFireWebhookResponse,
  SandboxItemResetLoginResponse,
  SandboxPublicTokenCreateResponse,
  WebhookVerificationKeyGetResponse,
} from 'plaid';
import { ITEM_ERRORS, isItemError, plaidError, plaidTime, SANDBOX_INSTITUTIONS } from './plaid-catalog';
import { institutionView } from './plaid-institutions';
import { linkTokenView } from './plaid-link';
import type { ItemRecord, PlaidState } from './plaid-state';
import type { WebhookKeyRing } from './plaid-webhooks';

export interface PlaidResult {
  status: number;
  body: unknown;
}
type Body = Record<string, unknown>;
type Handler = (body: Body, requestId: string) => PlaidResult | Promise<PlaidResult>;

const ok = <T extends { request_id: string }>(body: T): PlaidResult => ({ status: 200, body });
const fail = (code: string, requestId: string, message?: string): PlaidResult => {
  const body = plaidError(code, requestId, message);
  return { status: body.status, body };
};
const missing = (fields: string[], requestId: string) =>
  fail('MISSING_FIELDS', requestId, `the following required fields are missing: ${fields.join(', ')}`);
const absent = (body: Body, fields: string[]) =>
  fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
const isUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);

/** The ITEM webhooks `/sandbox/item/fire_webhook` can send (it never changes the Item). */
export const FIREABLE_WEBHOOKS = [
  'ERROR',
  'LOGIN_REPAIRED',
  'NEW_ACCOUNTS_AVAILABLE',
  'PENDING_DISCONNECT',
  'PENDING_EXPIRATION',
  'USER_ACCOUNT_REVOKED',
  'USER_PERMISSION_REVOKED',
  'WEBHOOK_UPDATE_ACKNOWLEDGED',
];

/** Plaid's API routes (all POST, JSON, already authenticated), typed with the `plaid` package. */
export function plaidApi(state: PlaidState, keys: WebhookKeyRing): Record<string, Handler> {
  /** The live Item of an access token, or Plaid's error for it. */
  const resolve = (body: Body, rid: string): ItemRecord | PlaidResult => {
    const token = body.access_token;
    if (typeof token !== 'string' || token === '') return missing(['access_token'], rid);
    if (!token.startsWith('access-sandbox-')) {
      return fail(
        'INVALID_ACCESS_TOKEN',
        rid,
        'provided access token is in an invalid format. expected format: access-<environment>-<identifier>',
      );
    }
    const item = state.byAccessToken.get(token);
    if (item === undefined) return fail('INVALID_ACCESS_TOKEN', rid);
    if (item.removed) return fail('ITEM_NOT_FOUND', rid);
    return item;
  };
  const isResult = (value: ItemRecord | PlaidResult): value is PlaidResult => 'status' in value;

  return {
    '/link/token/create': (body, rid) => {
      const user = (body.user ?? {}) as Body;
      const fields = absent(body, ['client_name', 'language', 'country_codes']);
      if (absent(user, ['client_user_id']).length > 0 && body.user_id === undefined)
        fields.push('user.client_user_id');
      if (fields.length > 0) return missing(fields, rid);
      if (body.webhook !== undefined && !isUrl(body.webhook))
        return fail('INVALID_FIELD', rid, 'webhook must be a valid URL');
      if (body.redirect_uri !== undefined && !isUrl(body.redirect_uri))
        return fail('INVALID_FIELD', rid, 'redirect_uri must be a valid URL');
      for (const name of ['android_package_name', 'link_customization_name'])
        if (body[name] !== undefined && (typeof body[name] !== 'string' || body[name] === ''))
          return fail('INVALID_FIELD', rid, `${name} must be a non-empty string`);
      const update = (body.update ?? {}) as Body;
      if (
        update.account_selection_enabled !== undefined &&
        typeof update.account_selection_enabled !== 'boolean'
      )
        return fail('INVALID_FIELD', rid, 'update.account_selection_enabled must be a boolean');
      let itemId: string | null = null;
      if (body.access_token !== undefined && body.access_token !== null) {
        const item = resolve(body, rid);
        if (isResult(item)) return item;
        // A revoked permission cannot be restored by update mode: the user links again (api.md
        // "Plaid semantics", issue 11 finding 2). Plaid answers with the Item's error.
        if (item.errorCode === 'USER_PERMISSION_REVOKED') return fail('USER_PERMISSION_REVOKED', rid);
        itemId = item.itemId;
      }
      const token = state.createLinkToken({
        itemId,
        // "In update mode, this field will not have an effect" (LinkTokenCreateRequest.webhook):
        // an update-mode token never changes where the Item's webhooks go.
        webhook: itemId === null && typeof body.webhook === 'string' ? body.webhook : null,
        clientUserId: typeof user.client_user_id === 'string' ? user.client_user_id : null,
        products: Array.isArray(body.products) ? (body.products as Products[]) : [],
        request: {
          clientName: typeof body.client_name === 'string' ? body.client_name : null,
          language: typeof body.language === 'string' ? body.language : null,
          countryCodes: Array.isArray(body.country_codes) ? body.country_codes.map(String) : [],
          redirectUri: typeof body.redirect_uri === 'string' ? body.redirect_uri : null,
          androidPackageName:
            typeof body.android_package_name === 'string' ? body.android_package_name : null,
          linkCustomizationName:
            typeof body.link_customization_name === 'string' ? body.link_customization_name : null,
          accountSelectionEnabled: update.account_selection_enabled === true,
          webhookGiven: typeof body.webhook === 'string' ? body.webhook : null,
        },
      });
      return ok<LinkTokenCreateResponse>({
        link_token: token.token,
        expiration: plaidTime(new Date(token.expiresAt)),
        request_id: rid,
      });
    },

    '/link/token/get': (body, rid) => {
      if (typeof body.link_token !== 'string' || body.link_token === '') return missing(['link_token'], rid);
      const link = state.linkTokens.get(body.link_token);
      if (link === undefined) return fail('INVALID_LINK_TOKEN', rid);
      return ok<LinkTokenGetResponse>(linkTokenView(link, rid));
    },

    '/institutions/get_by_id': (body, rid) => {
      const fields = absent(body, ['institution_id', 'country_codes']);
      if (fields.length > 0) return missing(fields, rid);
      const institution = SANDBOX_INSTITUTIONS.find((i) => i.institutionId === body.institution_id);
      if (institution === undefined) return fail('INVALID_INSTITUTION', rid);
      const options = (body.options ?? {}) as Body;
      const health = state.institutionStatus.get(institution.institutionId) ?? {
        status: 'HEALTHY' as const,
        lastStatusChange: plaidTime(new Date(0)),
      };
      return ok<InstitutionsGetByIdResponse>({
        institution: institutionView(institution, health, options.include_status === true),
        request_id: rid,
      });
    },

    '/sandbox/public_token/create': (body, rid) => {
      const fields = absent(body, ['institution_id', 'initial_products']);
      if (fields.length > 0) return missing(fields, rid);
      const institution = SANDBOX_INSTITUTIONS.find((i) => i.institutionId === body.institution_id);
      if (institution === undefined) return fail('INVALID_INSTITUTION', rid);
      if (!Array.isArray(body.initial_products))
        return fail('INVALID_FIELD', rid, 'initial_products must be an array');
      const webhook = ((body.options ?? {}) as Body).webhook;
      if (webhook !== undefined && !isUrl(webhook))
        return fail('INVALID_FIELD', rid, 'options.webhook must be a valid URL');
      const { publicToken } = state.createItem(
        institution,
        body.initial_products as Products[],
        typeof webhook === 'string' ? webhook : null,
        typeof body.user_id === 'string' ? body.user_id : null,
      );
      return ok<SandboxPublicTokenCreateResponse>({ public_token: publicToken, request_id: rid });
    },

    '/item/public_token/exchange': (body, rid) => {
      if (typeof body.public_token !== 'string' || body.public_token === '')
        return missing(['public_token'], rid);
      const exchanged = state.exchange(body.public_token);
      if ('problem' in exchanged) {
        return exchanged.problem === 'expired'
          ? fail(
              'INVALID_PUBLIC_TOKEN',
              rid,
              'provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged',
            )
          : fail('INVALID_PUBLIC_TOKEN', rid);
      }
      const { item } = exchanged;
      return ok<ItemPublicTokenExchangeResponse>({
        access_token: item.accessToken as string,
        item_id: item.itemId,
        request_id: rid,
      });
    },

    '/item/get': (body, rid) => {
      const reached = state.byAccessToken.get(String(body.access_token));
      if (reached !== undefined) reached.getCount += 1;
      const item = resolve(body, rid);
      if (isResult(item)) return item;
      if (!state.countGet(item)) return fail('ITEM_GET_LIMIT', rid);
      if (item.errorCode !== null && !isItemError(item.errorCode)) return fail(item.errorCode, rid);
      return ok<ItemGetResponse>({
        item: state.view(item),
        status: state.status(item),
        request_id: rid,
      });
    },

    '/item/remove': (body, rid) => {
      const item = resolve(body, rid);
      if (isResult(item)) return item;
      item.removed = true;
      return ok<ItemRemoveResponse>({ request_id: rid });
    },

    '/item/webhook/update': (body, rid) => {
      const item = resolve(body, rid);
      if (isResult(item)) return item;
      if (body.webhook !== undefined && body.webhook !== null && !isUrl(body.webhook))
        return fail('INVALID_FIELD', rid, 'webhook must be a valid URL');
      item.webhook = typeof body.webhook === 'string' ? body.webhook : null;
      if (item.webhook !== null) state.sendItemWebhook(item, 'WEBHOOK_UPDATE_ACKNOWLEDGED');
      return ok<ItemWebhookUpdateResponse>({ item: state.plainView(item), request_id: rid });
    },

    '/sandbox/item/reset_login': (body, rid) => {
      const item = resolve(body, rid);
      if (isResult(item)) return item;
      state.setError(item, 'ITEM_LOGIN_REQUIRED');
      return ok<SandboxItemResetLoginResponse>({ reset_login: true, request_id: rid });
    },

    '/sandbox/item/fire_webhook': (body, rid) => {
      const item = resolve(body, rid);
      if (isResult(item)) return item;
      if (typeof body.webhook_code !== 'string') return missing(['webhook_code'], rid);
      const type = body.webhook_type ?? 'ITEM';
      if (type !== 'ITEM' || !FIREABLE_WEBHOOKS.includes(body.webhook_code)) {
        return fail(
          'INVALID_FIELD',
          rid,
          `the emulator fires webhook_type ITEM with webhook_code one of ${FIREABLE_WEBHOOKS.join(', ')}`,
        );
      }
      if (item.webhook === null) return fail('SANDBOX_WEBHOOK_INVALID', rid);
      state.sendItemWebhook(item, body.webhook_code);
      return ok<SandboxItemFireWebhookResponse>({ webhook_fired: true, request_id: rid });
    },

    '/webhook_verification_key/get': (body, rid) => {
      if (typeof body.key_id !== 'string' || body.key_id === '') return missing(['key_id'], rid);
      const key = keys.get(body.key_id);
      if (key === undefined) return fail('INVALID_WEBHOOK_VERIFICATION_KEY_ID', rid);
      return ok<WebhookVerificationKeyGetResponse>({ key, request_id: rid });
    },
  };
}

/** The error codes an Item can be made to fail with. */
export const INJECTABLE_ERRORS = Object.keys(ITEM_ERRORS);
