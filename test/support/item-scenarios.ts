import { createUpdateLinkToken, repairItem, toItemView } from '../../functions/domain/bank-links';
import { AppError } from '../../functions/domain/errors';
import { checkItem } from '../../functions/domain/item-checks';
import type { InstitutionStatus } from '../../functions/domain/item-status';
import { FakeWebhookVerifier } from '../fakes';
import { bankWorld, receiveAndProcess } from './bank-world';

const DAY = 86400;

/**
 * One thing that happens in a scenario: Plaid fires an ITEM webhook (and changes the Item the way
 * Plaid does), Plaid's `/item/get` starts failing or clears, the institution's status changes,
 * data stops or resumes, the user repairs in the app, the poller runs, or time passes.
 */
export type ScenarioStep =
  | {
      webhook: string;
      fields?: Record<string, unknown>;
      iatSecondsAgo?: number;
      /** Plaid redelivers an earlier webhook (with a fresh `iat`): nothing changes at Plaid. */
      redelivery?: boolean;
    }
  | { plaidError: string }
  | { plaidClears: true }
  | { institution: 'HEALTHY' | 'DEGRADED' | 'DOWN' }
  | { dataStops: true }
  | { dataResumes: true }
  /** Plaid's `item.update_type` changes; a `user_present_required` Item gets no background updates. */
  | { updateType: 'background' | 'user_present_required' }
  | { repairInApp: true }
  | { updateLinkToken: true }
  | { poll: true }
  | { days: number }
  | { hours: number };

/** What a scenario ends with. `alerts` are `<channel>:<step>` in the order sent. */
export interface ScenarioOutcome {
  status: string;
  needsAction: boolean;
  repairMode?: string;
  alerts: string[];
  /** Status changes, `from→to`, in order. */
  transitions: string[];
  /** Other history entries (`deadline_set`, `became_stale`, `account_revoked`, …), in order. */
  history: string[];
  /** Codes of the API errors steps answered (`RELINK_REQUIRED`, `STILL_BROKEN`). */
  answers: string[];
  view: ReturnType<typeof toItemView>;
  sms: string[];
}

/** One row of the scenario matrix. */
export interface ScenarioRow {
  name: string;
  /** The Item is linked with these (consent expiry in days from the start). */
  linked?: { consentInDays?: number };
  steps: ScenarioStep[];
  expected: Partial<Omit<ScenarioOutcome, 'view' | 'sms'>>;
  /** Words the last SMS must contain. */
  lastSmsSays?: string;
}

/**
 * Runs a scenario against the domain over in-memory fakes with Plaid's behaviour: a pending
 * disconnect or consent expiry breaks `/item/get` at its deadline, `USER_PERMISSION_REVOKED`
 * breaks it for good, `LOGIN_REPAIRED` repairs it, data keeps flowing (Plaid's
 * `last_successful_update` follows the clock) unless stopped or the Item is broken, and the
 * update-mode flow repairs and renews consent for a year.
 */
export async function runScenario(row: ScenarioRow): Promise<ScenarioOutcome> {
  const w = bankWorld();
  const start = w.clock.now();
  const consent =
    row.linked?.consentInDays === undefined
      ? undefined
      : new Date(start.getTime() + row.linked.consentInDays * DAY * 1000).toISOString();
  await w.link('item_1', {
    lastSuccessfulUpdate: start.toISOString(),
    ...(consent === undefined ? {} : { consentExpiresAt: consent }),
  });
  const plaid = w.plaid.items.get(w.accessTokenOf('item_1'));
  if (plaid === undefined) throw new Error('not linked');
  /** Plaid's side: deadlines it will break the Item at, and whether data flows. */
  const truth: { breaksAt?: string; revoked: boolean; dataStopped: boolean } = {
    revoked: false,
    dataStopped: false,
  };
  const check = checkItem(w.deps);
  const receive = receiveAndProcess({ ...w.deps, clock: w.clock, verifier: new FakeWebhookVerifier() });
  const answers: string[] = [];

  /** Plaid's clock moved: a deadline may have passed; data flows unless stopped or broken. */
  const tick = () => {
    const now = w.clock.now().toISOString();
    if (truth.breaksAt !== undefined && truth.breaksAt <= now && plaid.error === undefined) {
      plaid.error = { code: 'ITEM_LOGIN_REQUIRED', message: 'the login details of this item have changed' };
      truth.breaksAt = undefined;
    }
    if (!truth.dataStopped && plaid.error === undefined && plaid.updateType !== 'user_present_required')
      plaid.lastSuccessfulUpdate = now;
  };
  const api = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      answers.push(error.code);
    }
  };

  for (const step of row.steps) {
    tick();
    if ('webhook' in step) {
      const code = step.webhook;
      // Plaid's PENDING_EXPIRATION carries the Item's consent expiry.
      const fields =
        code === 'PENDING_EXPIRATION'
          ? { consent_expiration_time: plaid.consentExpiresAt, ...step.fields }
          : (step.fields ?? {});
      if (step.redelivery === true) {
        // Nothing changes at Plaid.
      } else if (code === 'ERROR') {
        const error = fields.error as { error_code: string; error_message?: string };
        plaid.error = { code: error.error_code, message: error.error_message ?? '' };
      } else if (code === 'PENDING_DISCONNECT') {
        truth.breaksAt = new Date(w.clock.now().getTime() + 7 * DAY * 1000).toISOString();
      } else if (code === 'PENDING_EXPIRATION') {
        plaid.consentExpiresAt = String(fields.consent_expiration_time);
        truth.breaksAt = plaid.consentExpiresAt;
      } else if (code === 'USER_PERMISSION_REVOKED') {
        truth.revoked = true;
        plaid.error = { code: 'USER_PERMISSION_REVOKED', message: 'the user revoked access' };
      } else if (code === 'LOGIN_REPAIRED') {
        plaid.error = undefined;
        truth.breaksAt = undefined;
      }
      const issuedAt = new Date(w.clock.now().getTime() - (step.iatSecondsAgo ?? 0) * 1000);
      const body = {
        webhook_type: 'ITEM',
        webhook_code: code,
        item_id: 'item_1',
        environment: 'sandbox',
        ...fields,
      };
      await receive(`valid:${issuedAt.toISOString()}`, JSON.stringify(body));
    } else if ('plaidError' in step) {
      plaid.error = { code: step.plaidError, message: `the bank said ${step.plaidError}` };
    } else if ('plaidClears' in step) {
      plaid.error = undefined;
    } else if ('institution' in step) {
      w.plaid.institutions.set('ins_109508', step.institution.toLowerCase() as InstitutionStatus);
    } else if ('dataStops' in step) {
      truth.dataStopped = true;
    } else if ('updateType' in step) {
      plaid.updateType = step.updateType;
    } else if ('dataResumes' in step) {
      truth.dataStopped = false;
      tick();
    } else if ('updateLinkToken' in step) {
      await api(() => createUpdateLinkToken(w.deps)('usr_a', 'item_1'));
    } else if ('repairInApp' in step) {
      await api(async () => {
        await createUpdateLinkToken(w.deps)('usr_a', 'item_1');
        // The user finishes Link's update mode: Plaid repairs the Item and renews consent.
        if (!truth.revoked) {
          plaid.error = undefined;
          truth.breaksAt = undefined;
          if (plaid.consentExpiresAt !== undefined)
            plaid.consentExpiresAt = new Date(w.clock.now().getTime() + 365 * DAY * 1000).toISOString();
          tick();
        }
        await repairItem(w.deps)('usr_a', 'item_1');
      });
    } else if ('poll' in step) {
      await check({ itemId: 'item_1', dispatchedAt: w.clock.now().toISOString() });
    } else if ('days' in step) {
      w.clock.advance(step.days * DAY);
    } else if ('hours' in step) {
      w.clock.advance(step.hours * 3600);
    }
  }

  const item = w.stores.table.plaidItems.get('item_1');
  if (item === undefined) throw new Error('the Item is gone');
  const view = toItemView(item);
  const events = w.history();
  return {
    status: view.status,
    needsAction: view.needsAction,
    ...(view.repairMode === undefined ? {} : { repairMode: view.repairMode }),
    alerts: events.filter((e) => e.type === 'alert_sent').map((e) => `${e.detail}:${e.step}`),
    transitions: events.filter((e) => e.type === 'status_changed').map((e) => `${e.from}→${e.to}`),
    history: events
      .filter((e) => !['alert_sent', 'status_changed', 'linked'].includes(e.type))
      .map((e) => e.type),
    answers,
    view,
    sms: w.channels.sms.map((s) => s.message),
  };
}
