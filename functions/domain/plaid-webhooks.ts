import { addSeconds } from './clock';
import { AppError } from './errors';
import { applyAndNotify, type ItemCheckDeps, observeAtPlaid, withInstitutionStatus } from './item-checks';
import type { Observation, PlaidItemRecord } from './item-state-machine';
import type { WebhookVerifier } from './ports/webhook-verifier';

/** What happened to a webhook (for the log; Plaid only sees 200). */
export type WebhookOutcome = 'applied' | 'unchanged' | 'recorded' | 'unknown_item' | 'ignored_type';

/** Plaid fires `PENDING_DISCONNECT` this long before the Item is disconnected. */
const PENDING_DISCONNECT_NOTICE_SECONDS = 7 * 86400;

/**
 * The ITEM webhooks that say something about an Item's health, as observations. `issuedAt` is
 * the webhook's JWT `iat`: a `PENDING_DISCONNECT` without `disconnect_time` is 7 days ahead of it.
 */
export function observationOf(
  body: Record<string, unknown>,
  issuedAt: Date,
): Observation | 'record' | undefined {
  switch (body.webhook_code) {
    case 'ERROR': {
      const error = body.error as { error_code?: unknown; error_message?: unknown } | null | undefined;
      if (typeof error?.error_code !== 'string') return undefined;
      return {
        kind: 'plaid_error',
        code: error.error_code,
        ...(typeof error.error_message === 'string' ? { message: error.error_message } : {}),
      };
    }
    case 'PENDING_EXPIRATION':
      return typeof body.consent_expiration_time === 'string'
        ? {
            kind: 'pending_expiration',
            consentExpiresAt: new Date(body.consent_expiration_time).toISOString(),
          }
        : undefined;
    case 'PENDING_DISCONNECT': {
      // Plaid's `disconnect_time`; older senders omit it and fire the webhook 7 days ahead.
      const given = typeof body.disconnect_time === 'string' ? new Date(body.disconnect_time) : undefined;
      const disconnectAt =
        given !== undefined && !Number.isNaN(given.getTime())
          ? given
          : addSeconds(issuedAt, PENDING_DISCONNECT_NOTICE_SECONDS);
      return { kind: 'pending_disconnect', disconnectAt: disconnectAt.toISOString() };
    }
    case 'USER_PERMISSION_REVOKED':
      return { kind: 'plaid_error', code: body.webhook_code };
    case 'USER_ACCOUNT_REVOKED':
      return {
        kind: 'account_revoked',
        ...(typeof body.account_id === 'string' ? { accountId: body.account_id } : {}),
      };
    case 'LOGIN_REPAIRED':
      return { kind: 'login_repaired' };
    case 'NEW_ACCOUNTS_AVAILABLE':
    case 'WEBHOOK_UPDATE_ACKNOWLEDGED':
      return 'record';
    default:
      return undefined;
  }
}

/**
 * `POST /v1/plaid/webhook`: verifies Plaid's signature over the raw body (401 otherwise), then
 * applies ITEM webhooks through the Item state machine, ordered by the JWT's `iat` against the
 * Item's newest applied observation: duplicates change nothing twice, an older webhook arriving
 * late is ignored, and a webhook racing a poll sends one alert (the alert ledger). Unknown types
 * and codes are answered 200 and logged: Plaid adds codes.
 */
export function receivePlaidWebhook(deps: ItemCheckDeps & { verifier: WebhookVerifier }) {
  return async (
    token: string | undefined,
    rawBody: string,
  ): Promise<{ outcome: WebhookOutcome; code?: string }> => {
    let issuedAt: Date;
    try {
      ({ issuedAt } = await deps.verifier.verify(token, rawBody, deps.clock.now()));
    } catch (error) {
      throw new AppError('INVALID_WEBHOOK_SIGNATURE', 'The webhook signature is not valid.', {
        cause: error,
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      return { outcome: 'ignored_type' };
    }
    const code = String(body.webhook_code ?? '');
    if (body.webhook_type !== 'ITEM' || typeof body.item_id !== 'string')
      return { outcome: 'ignored_type', code };
    const observation = observationOf(body, issuedAt);
    if (observation === undefined) return { outcome: 'ignored_type', code };
    const item = await deps.items.get(body.item_id);
    if (item === undefined) return { outcome: 'unknown_item', code };
    if (observation === 'record') {
      await deps.items.save({ ...item, version: item.version + 1 }, [
        { type: 'webhook_received', at: deps.clock.now().toISOString(), source: 'webhook', detail: code },
      ]);
      return { outcome: 'recorded', code };
    }
    // "Repaired" is the one webhook that would close an episode: Plaid's /item/get confirms it
    // first, so a retried or forged-in-time LOGIN_REPAIRED never sends a false "connected again".
    // A break during an institution outage holds its "sign in again" alert: ask for the status.
    const confirmed =
      observation.kind === 'login_repaired'
        ? await confirmRepaired(deps, item)
        : await withInstitutionStatus(deps, item, observation);
    const { transition } = await applyAndNotify(deps, item, confirmed, { source: 'webhook', at: issuedAt });
    return { outcome: transition.changed ? 'applied' : 'unchanged', code };
  };
}

/** `LOGIN_REPAIRED` confirmed with `/item/get`: the repair if Plaid reports the Item clean, else what it reports. */
async function confirmRepaired(deps: ItemCheckDeps, item: PlaidItemRecord): Promise<Observation> {
  const seen = await observeAtPlaid(deps, item);
  return seen.kind === 'healthy' ? { kind: 'login_repaired' } : seen;
}
