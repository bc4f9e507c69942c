import { addSeconds, type Clock } from './clock';
import { AppError } from './errors';
import type { Observation } from './item-state-machine';
import type { WebhookQueue } from './ports/webhook-queue';
import type { WebhookVerifier } from './ports/webhook-verifier';

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
      if (given !== undefined && !Number.isNaN(given.getTime()))
        return { kind: 'pending_disconnect', disconnectAt: given.toISOString() };
      return {
        kind: 'pending_disconnect',
        disconnectAt: addSeconds(issuedAt, PENDING_DISCONNECT_NOTICE_SECONDS).toISOString(),
        estimated: true,
      };
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

/** What happened to a webhook at the door (for the log; Plaid only sees 200). */
export type AcceptOutcome = 'queued' | 'ignored_type';

/**
 * `POST /v1/plaid/webhook`: verifies Plaid's signature over the raw body (401 otherwise), then
 * puts ITEM webhooks on the webhook queue and returns: Plaid is answered 200 at once, whatever
 * processing will take (it wants an answer within 10 s and retries otherwise). Other types are
 * answered 200 and logged. The processor ({@link processPlaidWebhook}) does the rest.
 */
export function acceptPlaidWebhook(deps: { verifier: WebhookVerifier; clock: Clock; queue: WebhookQueue }) {
  return async (
    token: string | undefined,
    rawBody: string,
  ): Promise<{ outcome: AcceptOutcome; code?: string; itemId?: string }> => {
    let issuedAt: Date;
    try {
      ({ issuedAt } = await deps.verifier.verify(token, rawBody, deps.clock.now()));
    } catch (error) {
      throw new AppError('INVALID_WEBHOOK_SIGNATURE', 'The webhook signature is not valid.', {
        cause: error,
      });
    }
    const body = parseBody(rawBody);
    if (body === undefined) return { outcome: 'ignored_type' };
    const code = String(body.webhook_code ?? '');
    if (body.webhook_type !== 'ITEM' || typeof body.item_id !== 'string')
      return { outcome: 'ignored_type', code };
    await deps.queue.enqueue({ itemId: body.item_id, body: rawBody, issuedAt: issuedAt.toISOString() });
    return { outcome: 'queued', code, itemId: body.item_id };
  };
}

/** A webhook body as an object, or undefined when it is not one. */
export function parseBody(rawBody: string): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(rawBody) as unknown;
    return body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
