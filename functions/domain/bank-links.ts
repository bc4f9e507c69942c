import { nextCheckAt } from './check-schedule';
import {
  AppError,
  NotFoundError,
  PlaidNotConfiguredError,
  PlaidRequestError,
  ValidationFailedError,
} from './errors';
import { applyAndNotify, type ItemCheckDeps, observeAtPlaid } from './item-checks';
import type { ItemEvent, PlaidItemRecord } from './item-state-machine';
import {
  type InstitutionStatus,
  type ItemStatus,
  NEEDS_ACTION,
  REPEATED_REAUTH_REASON,
  reasonFor,
} from './item-status';
import { classifyPlaidError, type RepairMode, repairModeFor } from './plaid-errors';
import type { LinkTokenStore } from './ports/link-token-store';
import type { LinkPlatform, PlaidGateway } from './ports/plaid-gateway';
import type { PlaidItemStore } from './ports/plaid-item-store';

/** An Item as the API shows it. Never the access token. */
export interface ItemView {
  itemId: string;
  institutionId: string;
  institutionName: string;
  status: ItemStatus;
  needsAction: boolean;
  reason?: string;
  lastCheckedAt?: string;
  lastSuccessAt?: string;
  /** Plaid's last successful data update. */
  lastSyncAt?: string;
  /** Since when no new data has come while Plaid reports no error. */
  staleSince?: string;
  consentExpiresAt?: string;
  /** When a pending disconnect takes effect. */
  disconnectAt?: string;
  /** How to repair it, while it needs repair: update mode, or a new link (which replaces it). */
  repairMode?: RepairMode;
  institutionStatus?: InstitutionStatus;
  error?: { code: string; message: string };
  createdAt: string;
}

/** Shapes an Item for the API. */
export function toItemView(item: PlaidItemRecord): ItemView {
  const reason =
    item.episode?.repeated === true && item.status === 'login_required'
      ? REPEATED_REAUTH_REASON
      : reasonFor(item.status, item.errorCode);
  const repairMode = repairModeFor(item.status, item.errorCode);
  return {
    itemId: item.itemId,
    institutionId: item.institutionId,
    institutionName: item.institutionName,
    status: item.status,
    needsAction: NEEDS_ACTION.has(item.status),
    ...(reason === undefined ? {} : { reason }),
    ...(item.lastCheckedAt === undefined ? {} : { lastCheckedAt: item.lastCheckedAt }),
    ...(item.lastSuccessAt === undefined ? {} : { lastSuccessAt: item.lastSuccessAt }),
    ...(item.lastSyncAt === undefined ? {} : { lastSyncAt: item.lastSyncAt }),
    ...(item.staleSince === undefined ? {} : { staleSince: item.staleSince }),
    ...(item.consentExpiresAt === undefined ? {} : { consentExpiresAt: item.consentExpiresAt }),
    ...(item.disconnectAt === undefined ? {} : { disconnectAt: item.disconnectAt }),
    ...(repairMode === undefined ? {} : { repairMode }),
    ...(item.institutionStatus === undefined ? {} : { institutionStatus: item.institutionStatus }),
    ...(item.errorCode === undefined
      ? {}
      : { error: { code: item.errorCode, message: item.errorMessage ?? '' } }),
    createdAt: item.createdAt,
  };
}

/**
 * What a failed Plaid call becomes. Only Plaid's own failures (a {@link PlaidRequestError}:
 * Plaid's error envelope, a timeout, the network) are 502 `PLAID_UNAVAILABLE`; anything else —
 * our own bug, a KMS or Secrets Manager failure, `PLAID_NOT_CONFIGURED` — is returned unchanged,
 * to be answered as what it is (a bug is a 500 with its cause logged).
 */
export function plaidUnavailable(error: unknown): unknown {
  if (!(error instanceof PlaidRequestError)) return error;
  // Plaid refusing our keys (the placeholder secret of a fresh deployment) is our setup, not an outage.
  if (error.plaidCode === 'INVALID_API_KEYS') return new PlaidNotConfiguredError(error);
  return new AppError('PLAID_UNAVAILABLE', 'Plaid did not answer. Try again in a minute.', {
    cause: error,
    retryAfterSeconds: 30,
  });
}

/** Bank-link routes need what an Item check needs. */
export type BankLinkDeps = ItemCheckDeps;

async function ownItem(
  deps: { items: PlaidItemStore },
  userId: string,
  itemId: string,
): Promise<PlaidItemRecord> {
  const item = await deps.items.get(itemId);
  // Another user's Item is indistinguishable from a missing one.
  if (item === undefined || item.userId !== userId) throw new NotFoundError('No such bank link.');
  return item;
}

/** How long a new-link token's owner is remembered at most (Plaid's link tokens live 4 hours). */
const LINK_TOKEN_MEMORY_MS = 4 * 3600_000;

/**
 * `POST /v1/plaid/link-token`: a Link token for linking a new bank, set up for the app's
 * `platform` (its OAuth return), and remembered as this user's so that only this user can redeem
 * the public token Link will produce with it.
 *
 * @example
 * const { linkToken } = await createLinkToken(deps)(userId, { platform: 'ios' });
 */
export function createLinkToken(deps: Pick<BankLinkDeps, 'plaid' | 'clock'> & LinkTokenDeps) {
  return async (userId: string, input: { platform?: LinkPlatform } = {}) => {
    let token: { linkToken: string; expiration: string };
    try {
      token = await deps.plaid.createLinkToken({
        userId,
        ...(input.platform === undefined ? {} : { platform: input.platform }),
      });
    } catch (error) {
      throw plaidUnavailable(error);
    }
    // By our clock, never Plaid's (which only ever expires the token sooner).
    const expiresAt = new Date(deps.clock.now().getTime() + LINK_TOKEN_MEMORY_MS).toISOString();
    await deps.linkTokens.remember(deps.hashSecret(token.linkToken), { userId, expiresAt });
    return token;
  };
}

/** What binds a public token to the user who opened Link. */
export interface LinkTokenDeps {
  linkTokens: LinkTokenStore;
  /** SHA-256 of a token (link tokens are kept only as hashes). */
  hashSecret: (secret: string) => string;
}

/** Link's onSuccess metadata as the app forwards it (api.md: `{institutionId, accounts, linkSessionId}`). */
export interface LinkMetadata {
  institutionId?: string | undefined;
  accounts?:
    | { id?: string | undefined; mask?: string | null | undefined; name?: string | undefined }[]
    | undefined;
  linkSessionId?: string | undefined;
  /** onExit's `status` (where the user left Link) and error code, for a repair. */
  status?: string | undefined;
  errorCode?: string | null | undefined;
}

/** An Item update mode cannot bring back, or that no longer works: a new link replaces it. */
function replaceable(item: PlaidItemRecord): boolean {
  // The same judgement the API shows as `repairMode` (revoked, gone, or an error update mode
  // cannot fix), plus a sign-in the user chose to redo with a new link.
  return repairModeFor(item.status, item.errorCode) === 'relink' || item.status === 'login_required';
}

/**
 * `POST /v1/plaid/items`: stores the bank the user linked, in this order:
 * 1. the public token must come from a Link session of a link token this user created (our
 *    record of link tokens, then Plaid's `/link/token/get`): another user's public token is 403
 *    LINK_TOKEN_MISMATCH and is never exchanged;
 * 2. duplicates are judged *before* the exchange, on the institution Plaid (or else Link's
 *    metadata) names: a working Item there is never touched and the new public token is not
 *    exchanged (409 INSTITUTION_ALREADY_LINKED with the existing `itemId`), because at banks that
 *    allow one connection per login a second one breaks the first
 *    (https://plaid.com/docs/link/duplicate-items/);
 * 3. a broken existing Item there (sign-in needed, revoked, gone, or `repairMode: relink`) is
 *    replaced: the new Item is stored with the old one's history, the old one removed here and
 *    at Plaid;
 * 4. the public token is exchanged and the Item stored with its access token encrypted.
 */
export function linkItem(deps: BankLinkDeps & LinkTokenDeps) {
  return async (
    userId: string,
    input: { publicToken: string; linkToken: string; metadata?: LinkMetadata | undefined },
  ): Promise<ItemView> => {
    const { publicToken, linkToken, metadata } = input;
    const owner = await deps.linkTokens.ownerOf(deps.hashSecret(linkToken), deps.clock.now());
    if (owner?.userId !== userId) throw linkTokenMismatch();
    let sessions: Awaited<ReturnType<PlaidGateway['getLinkSessions']>>;
    try {
      sessions = await deps.plaid.getLinkSessions(linkToken);
    } catch (error) {
      throw plaidUnavailable(error);
    }
    const added = sessions.flatMap((s) =>
      s.itemAdds.map((add) => ({ ...add, linkSessionId: s.linkSessionId })),
    );
    const session = added.find((add) => add.publicToken === publicToken);
    if (session === undefined) throw linkTokenMismatch();

    const institutionId = session.institutionId ?? metadata?.institutionId;
    let replacing: PlaidItemRecord | undefined;
    if (institutionId !== undefined) {
      const existingId = await deps.items.findByInstitution(userId, institutionId);
      const existing = existingId === undefined ? undefined : await deps.items.get(existingId);
      if (existing !== undefined && !replaceable(existing)) throw alreadyLinked(existing.itemId);
      replacing = existing;
    }

    let exchanged: { accessToken: string; itemId: string };
    try {
      exchanged = await deps.plaid.exchangePublicToken(publicToken);
    } catch (error) {
      if (error instanceof PlaidRequestError && /PUBLIC_TOKEN/.test(error.plaidCode)) {
        throw new ValidationFailedError([
          { path: 'publicToken', message: 'Not a valid or unexpired Link public token.' },
        ]);
      }
      throw plaidUnavailable(error);
    }
    let snapshot: Awaited<ReturnType<PlaidGateway['getItem']>>;
    try {
      snapshot = await deps.plaid.getItem(exchanged.accessToken);
    } catch (error) {
      await deps.plaid.removeItem(exchanged.accessToken).catch(() => undefined);
      throw plaidUnavailable(error);
    }
    if (replacing === undefined || replacing.institutionId !== snapshot.institutionId) {
      // Link's metadata named no institution (or another one): judge on Plaid's word, as before.
      const existingId = await deps.items.findByInstitution(userId, snapshot.institutionId);
      const existing = existingId === undefined ? undefined : await deps.items.get(existingId);
      if (existing !== undefined && !replaceable(existing))
        throw await duplicate(deps, exchanged.accessToken, existing.itemId);
      replacing = existing;
    }

    const now = deps.clock.now();
    const status: ItemStatus =
      snapshot.error === undefined ? 'healthy' : (classifyPlaidError(snapshot.error.code).status ?? 'error');
    const item: PlaidItemRecord = {
      itemId: exchanged.itemId,
      userId,
      institutionId: snapshot.institutionId,
      institutionName: snapshot.institutionName ?? snapshot.institutionId,
      status,
      ...(snapshot.error === undefined
        ? {}
        : { errorCode: snapshot.error.code, errorMessage: snapshot.error.message }),
      ...(snapshot.consentExpiresAt === undefined ? {} : { consentExpiresAt: snapshot.consentExpiresAt }),
      accessTokenCiphertext: await deps.cipher.encrypt(exchanged.accessToken, exchanged.itemId),
      createdAt: now.toISOString(),
      lastCheckedAt: now.toISOString(),
      ...(snapshot.error === undefined ? { lastSuccessAt: now.toISOString() } : {}),
      ...(typeof snapshot.lastSuccessfulUpdate === 'string'
        ? { lastSyncAt: snapshot.lastSuccessfulUpdate }
        : {}),
      ...(snapshot.updateType === 'user_present_required' ? { updateType: snapshot.updateType } : {}),
      nextCheckAt: nextCheckAt(status, 0, now, deps.schedule, deps.random).toISOString(),
      transientFailures: 0,
      lastEventAt: now.toISOString(),
      version: 1,
      ...(deps.webhookUrl === undefined ? {} : { webhookUrl: deps.webhookUrl }),
    };
    const event: ItemEvent = {
      type: 'linked',
      at: now.toISOString(),
      source: 'link',
      to: status,
      linkSessionId: session.linkSessionId,
      ...(replacing === undefined ? {} : { detail: `replaces ${replacing.itemId}` }),
    };
    const history = replacing === undefined ? [] : await historyOf(deps, replacing.itemId);
    if (replacing !== undefined) {
      await deps.items.remove(replacing, {
        type: 'removed',
        at: now.toISOString(),
        source: 'link',
        detail: `replaced by ${item.itemId}`,
      });
    }
    if ((await deps.items.create({ item, event })) === 'institution_taken') {
      const winner = await deps.items.findByInstitution(userId, snapshot.institutionId);
      throw await duplicate(deps, exchanged.accessToken, winner ?? '');
    }
    if (replacing !== undefined) {
      await deps.items.addEvents(item.itemId, history);
      const old = await deps.cipher.decrypt(replacing.accessTokenCiphertext, replacing.itemId);
      // The old Item is broken or gone: remove it at Plaid so it is not billed; failing is harmless.
      await deps.plaid.removeItem(old).catch(() => undefined);
    }
    return toItemView(item);
  };
}

/** The newest {@link CARRIED_EVENTS} entries of an Item's history, oldest first. */
const CARRIED_EVENTS = 200;
async function historyOf(deps: Pick<BankLinkDeps, 'items'>, itemId: string): Promise<ItemEvent[]> {
  const events: ItemEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.items.listEvents(itemId, {
      limit: 100,
      ...(cursor === undefined ? {} : { cursor }),
    });
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== undefined && events.length < CARRIED_EVENTS);
  return events.slice(0, CARRIED_EVENTS).reverse();
}

function linkTokenMismatch(): AppError {
  return new AppError('LINK_TOKEN_MISMATCH', 'This bank link was not started by you. Open Link again.');
}

function alreadyLinked(existingItemId: string): AppError {
  return new AppError(
    'INSTITUTION_ALREADY_LINKED',
    'This bank is already linked and working. Nothing to do.',
    { extensions: { itemId: existingItemId } },
  );
}

async function duplicate(
  deps: Pick<BankLinkDeps, 'plaid'>,
  accessToken: string,
  existingItemId: string,
): Promise<AppError> {
  // Never keep a second Item for the same bank: it would be billed and drift apart.
  await deps.plaid.removeItem(accessToken).catch(() => undefined);
  return alreadyLinked(existingItemId);
}

/** `GET /v1/plaid/items`. */
export function listItems(deps: Pick<BankLinkDeps, 'items'>) {
  return async (userId: string): Promise<ItemView[]> =>
    (await deps.items.listForUser(userId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(toItemView);
}

/** `GET /v1/plaid/items/{itemId}`. */
export function getItem(deps: Pick<BankLinkDeps, 'items'>) {
  return async (userId: string, itemId: string): Promise<ItemView> =>
    toItemView(await ownItem(deps, userId, itemId));
}

/**
 * Errors after which Plaid recommends update mode with Account Select, so the user can add or
 * re-share accounts (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts).
 */
const ACCOUNT_SELECTION_CODES = new Set(['NEW_ACCOUNTS_AVAILABLE', 'NO_ACCOUNTS', 'ACCESS_NOT_GRANTED']);

/**
 * `POST /v1/plaid/items/{itemId}/link-token`: a Link token in update mode, to repair this Item
 * (with Account Select when the Item lacks accounts or has new ones), set up for `platform`.
 * An Item update mode cannot repair (`repairMode: relink`: permission revoked, Item gone) is 409
 * `RELINK_REQUIRED` with the Item, before Plaid is asked; so is Plaid refusing the token for
 * such a reason we had not learned yet. Never a 502 the user would retry forever.
 */
export function createUpdateLinkToken(deps: Pick<BankLinkDeps, 'items' | 'plaid' | 'cipher'>) {
  return async (userId: string, itemId: string, input: { platform?: LinkPlatform } = {}) => {
    const item = await ownItem(deps, userId, itemId);
    if (repairModeFor(item.status, item.errorCode) === 'relink') throw relinkRequired(toItemView(item));
    const accessToken = await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId);
    const pending =
      (item as PlaidItemRecord & { newAccountsAvailable?: boolean }).newAccountsAvailable === true;
    const accountSelection = pending || ACCOUNT_SELECTION_CODES.has(item.errorCode ?? '');
    try {
      return await deps.plaid.createLinkToken({
        userId,
        accessToken,
        ...(input.platform === undefined ? {} : { platform: input.platform }),
        ...(accountSelection ? { accountSelection: true } : {}),
      });
    } catch (error) {
      if (error instanceof PlaidRequestError) {
        const status = classifyPlaidError(error.plaidCode).status;
        if (status !== undefined && repairModeFor(status, error.plaidCode) === 'relink')
          throw relinkRequired({ ...toItemView(item), repairMode: 'relink' });
      }
      throw plaidUnavailable(error);
    }
  };
}

/** Seconds a client waits before asking again when Plaid could not give a verdict. */
const REPAIR_RETRY_AFTER_SECONDS = 30;

function relinkRequired(item: ItemView): AppError {
  return new AppError(
    'RELINK_REQUIRED',
    'This bank link cannot be repaired in place. Link the bank again; the new link replaces this one.',
    { extensions: { item } },
  );
}

/**
 * `POST /v1/plaid/items/{itemId}/repair`: after update mode, asks Plaid whether the Item works.
 * Link's onSuccess/onExit metadata, when the app sends it, goes into the Item's history first.
 * Healthy only if Plaid says so; 409 STILL_BROKEN with the Item when Plaid says it is still
 * broken; 503 PLAID_UNAVAILABLE with Retry-After when Plaid gives no verdict (rate-limited,
 * timed out, down, 5xx), which changes nothing.
 */
export function repairItem(deps: BankLinkDeps) {
  return async (userId: string, itemId: string, metadata?: LinkMetadata): Promise<ItemView> => {
    const item = await ownItem(deps, userId, itemId);
    if (metadata !== undefined) {
      await deps.items.addEvents(item.itemId, [linkSessionEvent(metadata, deps.clock.now())]);
    }
    const observation = await observeAtPlaid(deps, item);
    if (observation.kind === 'plaid_error') {
      const { category } = classifyPlaidError(observation.code);
      if (category === 'operator') {
        // Plaid refused us, not the Item: no verdict on the user's bank link, and nothing changes.
        await deps.operatorFault(observation.code, item.itemId);
        throw observation.code === 'INVALID_API_KEYS'
          ? new PlaidNotConfiguredError()
          : new AppError(
              'PLAID_UNAVAILABLE',
              'Plaid could not check this bank link just now. Try again shortly.',
              {
                retryAfterSeconds: REPAIR_RETRY_AFTER_SECONDS,
                extensions: { plaidCode: observation.code },
              },
            );
      }
      if (category === 'transient' || category === 'rate_limited') {
        throw new AppError(
          'PLAID_UNAVAILABLE',
          'Plaid could not check this bank link just now. Try again shortly.',
          {
            retryAfterSeconds: REPAIR_RETRY_AFTER_SECONDS,
            extensions: { plaidCode: observation.code },
          },
        );
      }
    }
    const { transition } = await applyAndNotify(deps, item, observation, {
      source: 'repair',
      at: deps.clock.now(),
    });
    const view = toItemView(transition.item);
    if (transition.item.status !== 'healthy') {
      throw new AppError('STILL_BROKEN', 'Plaid still reports a problem with this bank link.', {
        extensions: { item: view },
      });
    }
    return view;
  };
}

/** A history entry for what Link told the app (session id, where the user left, the error). */
function linkSessionEvent(metadata: LinkMetadata, at: Date): ItemEvent {
  return {
    type: 'link_session',
    at: at.toISOString(),
    source: 'repair',
    ...(metadata.linkSessionId === undefined ? {} : { linkSessionId: metadata.linkSessionId }),
    ...(metadata.status === undefined ? {} : { linkStatus: metadata.status }),
    ...(metadata.errorCode === undefined || metadata.errorCode === null
      ? {}
      : { errorCode: metadata.errorCode }),
    detail: metadata.errorCode === undefined && metadata.status === undefined ? 'success' : 'exit',
  };
}

/** `GET /v1/plaid/items/{itemId}/events`: the Item's history, newest first. */
export function listItemEvents(deps: Pick<BankLinkDeps, 'items'>) {
  return async (userId: string, itemId: string, cursor: string | undefined) => {
    await ownItem(deps, userId, itemId);
    return deps.items.listEvents(itemId, { limit: 25, ...(cursor === undefined ? {} : { cursor }) });
  };
}

/** `DELETE /v1/plaid/items/{itemId}`: removes the Item at Plaid, then our records. */
export function removeItem(deps: Pick<BankLinkDeps, 'items' | 'plaid' | 'cipher' | 'clock'>) {
  return async (userId: string, itemId: string): Promise<void> => {
    const item = await ownItem(deps, userId, itemId);
    const accessToken = await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId);
    try {
      await deps.plaid.removeItem(accessToken);
    } catch (error) {
      const gone =
        error instanceof PlaidRequestError && classifyPlaidError(error.plaidCode).category === 'permanent';
      if (!gone) throw plaidUnavailable(error);
    }
    await deps.items.remove(item, { type: 'removed', at: deps.clock.now().toISOString(), source: 'link' });
  };
}
