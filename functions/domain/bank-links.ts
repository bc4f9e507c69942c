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
import type { PlaidGateway } from './ports/plaid-gateway';
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

/**
 * `POST /v1/plaid/link-token`: a Link token for linking a new bank.
 *
 * @example
 * const { linkToken } = await createLinkToken(deps)(userId);
 */
export function createLinkToken(deps: Pick<BankLinkDeps, 'plaid'>) {
  return async (userId: string) => {
    try {
      return await deps.plaid.createLinkToken({ userId });
    } catch (error) {
      throw plaidUnavailable(error);
    }
  };
}

/**
 * `POST /v1/plaid/items`: exchanges Link's public token and stores the Item with its access
 * token encrypted. A second Item for an institution the user already linked is removed at Plaid
 * at once and answered 409 INSTITUTION_ALREADY_LINKED with the existing Item's id: the user
 * repairs that one with update mode instead.
 */
export function linkItem(deps: BankLinkDeps) {
  return async (userId: string, publicToken: string): Promise<ItemView> => {
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

    const existing = await deps.items.findByInstitution(userId, snapshot.institutionId);
    if (existing !== undefined) throw await duplicate(deps, exchanged.accessToken, existing);

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
      nextCheckAt: nextCheckAt(status, 0, now, deps.schedule, deps.random).toISOString(),
      transientFailures: 0,
      lastEventAt: now.toISOString(),
      version: 1,
      ...(deps.webhookUrl === undefined ? {} : { webhookUrl: deps.webhookUrl }),
    };
    const event: ItemEvent = { type: 'linked', at: now.toISOString(), source: 'link', to: status };
    if ((await deps.items.create({ item, event })) === 'institution_taken') {
      const winner = await deps.items.findByInstitution(userId, snapshot.institutionId);
      throw await duplicate(deps, exchanged.accessToken, winner ?? '');
    }
    return toItemView(item);
  };
}

async function duplicate(
  deps: Pick<BankLinkDeps, 'plaid'>,
  accessToken: string,
  existingItemId: string,
): Promise<AppError> {
  // Never keep a second Item for the same bank: it would be billed and drift apart.
  await deps.plaid.removeItem(accessToken).catch(() => undefined);
  return new AppError(
    'INSTITUTION_ALREADY_LINKED',
    'This bank is already linked. Reconnect the existing link instead.',
    {
      extensions: { itemId: existingItemId },
    },
  );
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
 * `POST /v1/plaid/items/{itemId}/link-token`: a Link token in update mode, to repair this Item.
 * An Item update mode cannot repair (`repairMode: relink`: permission revoked, Item gone) is 409
 * `RELINK_REQUIRED` with the Item, before Plaid is asked; so is Plaid refusing the token for
 * such a reason we had not learned yet. Never a 502 the user would retry forever.
 */
export function createUpdateLinkToken(deps: Pick<BankLinkDeps, 'items' | 'plaid' | 'cipher'>) {
  return async (userId: string, itemId: string) => {
    const item = await ownItem(deps, userId, itemId);
    if (repairModeFor(item.status, item.errorCode) === 'relink') throw relinkRequired(toItemView(item));
    const accessToken = await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId);
    try {
      return await deps.plaid.createLinkToken({ userId, accessToken });
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

function relinkRequired(item: ItemView): AppError {
  return new AppError(
    'RELINK_REQUIRED',
    'This bank link cannot be repaired in place. Link the bank again; the new link replaces this one.',
    { extensions: { item } },
  );
}

/**
 * `POST /v1/plaid/items/{itemId}/repair`: after update mode, asks Plaid whether the Item works.
 * Healthy only if Plaid says so; otherwise 409 STILL_BROKEN with the Item.
 */
export function repairItem(deps: BankLinkDeps) {
  return async (userId: string, itemId: string): Promise<ItemView> => {
    const item = await ownItem(deps, userId, itemId);
    const observation = await observeAtPlaid(deps, item);
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
