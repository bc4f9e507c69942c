import { INJECTABLE_ERRORS } from './plaid-api';
import { plaidTime, SANDBOX_INSTITUTIONS } from './plaid-catalog';
import { INSTITUTION_HEALTH } from './plaid-institutions';
import { completeLink } from './plaid-link';
import type { PlaidState } from './plaid-state';
import type { WebhookKeyRing, WebhookSender } from './plaid-webhooks';

type Json = Record<string, unknown>;
const json = (status: number, body: unknown) => ({ status, body });
const MAX_ADVANCE_SECONDS = 400 * 86_400;

/** The emulator's own clock: the given time source plus an offset that only moves forward. */
export class EmulatorClock {
  offsetMs = 0;

  constructor(private readonly base: () => Date) {}

  now(): Date {
    return new Date(this.base().getTime() + this.offsetMs);
  }

  view() {
    return { now: this.now().toISOString(), offsetSeconds: this.offsetMs / 1000 };
  }
}

/**
 * The `/emulator/*` control endpoints (api.md "Local runtime only"): break, expire, stale and
 * repair Items, fire any ITEM webhook the way Plaid would, set institution health, move the
 * emulator's clock, finish Link, rotate keys, read sent webhooks, tune latency and limits.
 */
export function plaidControl(input: {
  state: PlaidState;
  webhooks: WebhookSender;
  keys: WebhookKeyRing;
  clock: EmulatorClock;
  /** Brings Items and webhook retries up to the clock (deadlines, refreshes, due retries). */
  tick: () => void;
}) {
  const { state, webhooks, keys, clock, tick } = input;
  const now = () => clock.now();

  return async function control(
    method: string,
    path: string,
    body: Json,
  ): Promise<{ status: number; body: unknown }> {
    const itemRoute =
      /^\/emulator\/items\/([^/]+)\/(error|pending-expiration|webhook|stale|update-type)$/.exec(path);
    if (method === 'POST' && itemRoute !== null) {
      const item = state.items.get(decodeURIComponent(itemRoute[1] ?? ''));
      if (item === undefined || item.removed) return json(404, { error: 'no such Item (or removed)' });
      switch (itemRoute[2]) {
        case 'error': {
          const code = body.errorCode ?? null;
          if (code !== null && (typeof code !== 'string' || !INJECTABLE_ERRORS.includes(code)))
            return json(400, { error: 'errorCode must be null or one of these', known: INJECTABLE_ERRORS });
          const sent = state.setError(item, code);
          return json(200, { itemId: item.itemId, errorCode: code, webhook: sent?.webhookCode ?? null });
        }
        case 'pending-expiration': {
          const sent = state.fire(item, 'PENDING_EXPIRATION', body);
          if (typeof sent === 'string') return json(400, { error: sent });
          return json(200, {
            itemId: item.itemId,
            consentExpirationTime: item.consentExpirationTime,
            webhook: sent.webhookCode,
          });
        }
        case 'webhook': {
          const { webhookCode, ...fields } = body;
          if (typeof webhookCode !== 'string') return json(400, { error: 'webhookCode is required' });
          const sent = state.fire(item, webhookCode, fields);
          if (typeof sent === 'string') return json(400, { error: sent });
          return json(200, {
            itemId: item.itemId,
            webhook: sent.webhookCode,
            id: sent.id,
            item: state.snapshot(item),
          });
        }
        case 'update-type': {
          // Plaid's `Item.update_type`: `user_present_required` Items update only while the user is
          // present, so the emulator's background refreshes stop moving `last_successful_update`.
          const updateType = body.updateType;
          if (updateType !== 'background' && updateType !== 'user_present_required')
            return json(400, { error: 'updateType must be "background" or "user_present_required"' });
          state.touched();
          item.updateType = updateType;
          return json(200, { itemId: item.itemId, updateType });
        }
        default: {
          // stale: Plaid keeps answering /item/get without an error, but no data arrives after
          // `lastSuccessfulUpdate` (ItemStatusTransactions.last_successful_update stops moving).
          // `{lastSuccessfulUpdate: null}` lets data flow again.
          const given = body.lastSuccessfulUpdate;
          state.touched();
          if (given === null) {
            item.staleSince = null;
            item.lastSuccessfulUpdate = plaidTime(now());
          } else {
            const at = given === undefined ? now() : new Date(String(given));
            if (Number.isNaN(at.getTime()) || at.getTime() > now().getTime())
              return json(400, {
                error: 'lastSuccessfulUpdate must be an ISO-8601 time not in the future, or null',
              });
            item.staleSince = plaidTime(at);
            item.lastSuccessfulUpdate = plaidTime(at);
          }
          return json(200, {
            itemId: item.itemId,
            staleSince: item.staleSince,
            lastSuccessfulUpdate: item.lastSuccessfulUpdate,
          });
        }
      }
    }
    const institutionRoute = /^\/emulator\/institutions\/([^/]+)\/status$/.exec(path);
    if (institutionRoute !== null) {
      const id = decodeURIComponent(institutionRoute[1] ?? '');
      if (!SANDBOX_INSTITUTIONS.some((i) => i.institutionId === id))
        return json(404, { error: 'no such institution in the emulator' });
      if (method === 'POST') {
        const status = body.status;
        if (typeof status !== 'string' || !(INSTITUTION_HEALTH as readonly string[]).includes(status))
          return json(400, { error: `status must be one of ${INSTITUTION_HEALTH.join(', ')}` });
        const previous = state.institutionStatus.get(id);
        if (previous?.status !== status)
          state.institutionStatus.set(id, {
            status: status as (typeof INSTITUTION_HEALTH)[number],
            lastStatusChange: plaidTime(now()),
          });
      }
      if (method === 'GET' || method === 'POST')
        return json(200, {
          institutionId: id,
          ...(state.institutionStatus.get(id) ?? { status: 'HEALTHY' }),
        });
    }
    if (path === '/emulator/clock') {
      if (method === 'POST') {
        const seconds = body.advanceSeconds;
        if (
          typeof seconds !== 'number' ||
          !Number.isFinite(seconds) ||
          seconds <= 0 ||
          seconds > MAX_ADVANCE_SECONDS
        )
          return json(400, {
            error:
              'advanceSeconds must be a number of seconds from 1 to 400 days; the clock only moves forward',
          });
        clock.offsetMs += seconds * 1000;
        tick();
      }
      if (method === 'GET' || method === 'POST') return json(200, clock.view());
    }
    if (method === 'POST' && path === '/emulator/link/complete') return completeLink(state, body);
    if (method === 'GET' && path === '/emulator/items') {
      return json(200, {
        items: [...state.items.values()].map((item) => {
          const { accessToken, ...rest } = state.snapshot(item);
          return { ...rest, exchanged: accessToken !== null };
        }),
      });
    }
    if (method === 'POST' && path === '/emulator/config') {
      const latency = body.latencyMs;
      const limit = body.itemGetLimitPerMinute;
      const timeout = body.webhookTimeoutMs;
      for (const [name, value] of Object.entries({ latency, limit, timeout })) {
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
          return json(400, { error: `${name} must be a number ≥ 0` });
      }
      if (typeof latency === 'number') state.config.latencyMs = latency;
      if (typeof limit === 'number') state.config.itemGetLimitPerMinute = limit;
      if (typeof timeout === 'number') webhooks.timeoutMs = timeout;
      return json(200, { ...state.config, webhookTimeoutMs: webhooks.timeoutMs });
    }
    if (path === '/emulator/webhooks') {
      if (method === 'POST') {
        if (body.enabled !== undefined && typeof body.enabled !== 'boolean')
          return json(400, { error: 'enabled must be a boolean' });
        if (typeof body.enabled === 'boolean') webhooks.enabled = body.enabled;
        if (body.clear === true) webhooks.sent.length = 0;
      }
      if (method === 'GET' || method === 'POST')
        return json(200, { enabled: webhooks.enabled, webhooks: webhooks.sent });
    }
    const resend = /^\/emulator\/webhooks\/(\d+)\/resend$/.exec(path);
    if (method === 'POST' && resend !== null) {
      const copy = webhooks.resend(Number(resend[1]));
      return copy === undefined
        ? json(404, { error: 'no such webhook (or it had no URL)' })
        : json(200, copy);
    }
    if (method === 'POST' && path === '/emulator/webhook-keys/rotate')
      return json(200, await keys.rotate(body.expirePrevious === true));
    if (method === 'GET' && path === '/emulator/webhook-keys')
      return json(200, { current: keys.current().jwk.kid, keys: keys.list() });
    return json(404, { error: 'not found', path });
  };
}
