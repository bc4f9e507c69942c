import { randomUUID } from 'node:crypto';
import type {
  CountryCode,
  LinkSessionSuccessMetadata,
  LinkTokenGetResponse,
  LinkTokenGetSessionsResponse,
} from 'plaid';
import { isItemError, newRequestId, plaidError, plaidTime, SANDBOX_INSTITUTIONS } from './plaid-catalog';
import type { ItemRecord, LinkSessionRecord, LinkTokenRecord, PlaidState } from './plaid-state';

type Json = Record<string, unknown>;
const json = (status: number, body: unknown) => ({ status, body });

/**
 * Link's onSuccess metadata for an Item (https://plaid.com/docs/link/web/#onsuccess: `institution
 * {name, institution_id}`, `accounts [{id, name, mask, type, subtype, verification_status}]`,
 * `link_session_id`, `transfer_status`), the shape the app forwards to the API.
 */
function successMetadata(item: ItemRecord, linkSessionId: string): LinkSessionSuccessMetadata {
  return {
    institution: { name: item.institutionName, institution_id: item.institutionId },
    accounts: item.accounts
      .filter((a) => !a.revoked)
      .map((a) => ({
        id: a.accountId,
        name: a.name,
        mask: a.mask,
        type: a.type,
        subtype: a.subtype,
        verification_status: null,
        class_type: null,
      })),
    link_session_id: linkSessionId,
    transfer_status: null,
  };
}

/** The accounts a test asks Link to return (`accounts: [{mask, name?}]`), or an error sentence. */
function requestedAccounts(value: unknown): { mask: string; name?: string }[] | string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    return 'accounts must be a non-empty array of {mask, name?}';
  const accounts: { mask: string; name?: string }[] = [];
  for (const account of value as Json[]) {
    if (typeof account?.mask !== 'string' || !/^[0-9A-Za-z]{2,4}$/.test(account.mask))
      return 'each account needs a mask of 2-4 letters or digits';
    accounts.push({
      mask: account.mask,
      ...(typeof account.name === 'string' ? { name: account.name } : {}),
    });
  }
  return accounts;
}

/**
 * `POST /emulator/link/complete`: the user finishes (or leaves) Link opened with `linkToken`.
 * - new link, `outcome: "success"` (default): a new Item at `institutionId`, answered with Link's
 *   onSuccess `{publicToken, metadata}`;
 * - update mode, success: the Item is repaired in the app, with no LOGIN_REPAIRED webhook (Plaid
 *   sends it only for repairs outside the app, https://plaid.com/docs/api/items/#login_repaired);
 *   Link still hands a public token, which is not to be exchanged
 *   (https://plaid.com/docs/link/update-mode/);
 * - `outcome: "exit"`: Link's onExit `{error, metadata}` (`errorCode` optional: null means the
 *   user closed Link); nothing changes.
 * Every session is kept on its link token for `/link/token/get`.
 */
export function completeLink(state: PlaidState, body: Json) {
  const rid = newRequestId();
  const envelope = (code: string, message?: string) => {
    const error = plaidError(code, rid, message);
    return json(error.status, error);
  };
  const link = typeof body.linkToken === 'string' ? state.linkTokens.get(body.linkToken) : undefined;
  if (link === undefined) return envelope('INVALID_LINK_TOKEN');
  if (link.expiresAt <= state.now().getTime())
    return envelope('INVALID_LINK_TOKEN', 'provided link token is expired');
  const outcome = body.outcome ?? 'success';
  if (outcome !== 'success' && outcome !== 'exit')
    return json(400, { error: 'outcome must be "success" or "exit"' });
  const linkSessionId = randomUUID();
  const startedAt = plaidTime(state.now());
  const session = (fields: Pick<LinkSessionRecord, 'success' | 'exit'>) => {
    link.sessions ??= [];
    link.sessions.push({ linkSessionId, startedAt, finishedAt: plaidTime(state.now()), ...fields });
  };
  const updated = link.itemId === null ? undefined : state.items.get(link.itemId);
  if (link.itemId !== null && (updated === undefined || updated.removed)) return envelope('ITEM_NOT_FOUND');

  if (outcome === 'exit') {
    const code = body.errorCode ?? null;
    if (code !== null && (typeof code !== 'string' || !isItemError(code)))
      return json(400, { error: 'errorCode must be null or an ITEM_ERROR code' });
    const institution =
      updated === undefined ? null : { name: updated.institutionName, institution_id: updated.institutionId };
    const error = code === null ? null : plaidError(code, rid);
    const metadata = {
      institution,
      status: typeof body.status === 'string' ? body.status : 'requires_credentials',
      link_session_id: linkSessionId,
      request_id: rid,
    };
    session({ success: null, exit: { error, metadata } });
    return json(200, { error, metadata });
  }

  if (updated !== undefined) {
    state.repair(updated);
    const publicToken = state.newPublicToken(updated);
    const metadata = successMetadata(updated, linkSessionId);
    session({ success: { publicToken, metadata }, exit: null });
    return json(200, {
      itemId: updated.itemId,
      repaired: true,
      errorCode: updated.errorCode,
      consentExpirationTime: updated.consentExpirationTime,
      webhook: null,
      publicToken,
      metadata,
    });
  }
  const institutionId = typeof body.institutionId === 'string' ? body.institutionId : 'ins_109508';
  const institution = SANDBOX_INSTITUTIONS.find((i) => i.institutionId === institutionId);
  if (institution === undefined) return envelope('INVALID_INSTITUTION');
  const accounts = requestedAccounts(body.accounts);
  if (typeof accounts === 'string') return json(400, { error: accounts });
  const { item, publicToken } = state.createItem(
    institution,
    link.products,
    link.webhook,
    link.clientUserId,
    accounts,
  );
  const metadata = successMetadata(item, linkSessionId);
  session({ success: { publicToken, metadata }, exit: null });
  return json(200, { publicToken, metadata, itemId: item.itemId, institutionId });
}

/**
 * `/link/token/get`'s answer (LinkTokenGetResponse): the token's metadata and its Link sessions,
 * each with `results.item_add_results[].public_token` for a new Item (and the deprecated
 * `on_success`/`on_exit` that older integrations read). Plaid keeps session data for six hours
 * after a session ended; the emulator keeps it as long as the token.
 */
export function linkTokenView(link: LinkTokenRecord, requestId: string): LinkTokenGetResponse {
  const sessions: LinkTokenGetSessionsResponse[] = (link.sessions ?? []).map((s) => {
    const metadata = s.success?.metadata;
    return {
      link_session_id: s.linkSessionId,
      started_at: s.startedAt,
      finished_at: s.finishedAt,
      results: {
        item_add_results:
          s.success === null || link.itemId !== null
            ? []
            : [
                {
                  public_token: s.success.publicToken,
                  accounts: metadata?.accounts ?? [],
                  institution: metadata?.institution ?? null,
                },
              ],
        cra_item_add_results: [],
        cra_update_results: [],
        bank_income_results: [],
        payroll_income_results: [],
        document_income_results: null,
      },
      on_success:
        s.success === null ? null : { public_token: s.success.publicToken, metadata: metadata ?? null },
      exit:
        s.exit === null
          ? null
          : ({ error: s.exit.error, metadata: s.exit.metadata } as LinkTokenGetSessionsResponse['exit']),
    };
  });
  const request = link.request;
  return {
    link_token: link.token,
    created_at: link.createdAt === undefined ? null : plaidTime(new Date(link.createdAt)),
    expiration: plaidTime(new Date(link.expiresAt)),
    link_sessions: sessions,
    metadata: {
      initial_products: [...link.products],
      webhook: link.webhook,
      country_codes: (request?.countryCodes ?? []) as CountryCode[],
      language: request?.language ?? null,
      redirect_uri: request?.redirectUri ?? null,
      client_name: request?.clientName ?? null,
    },
    request_id: requestId,
  };
}
