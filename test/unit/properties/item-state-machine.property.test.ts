import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertStep, dueStep, REMINDER_DAYS } from '../../../functions/domain/alert-policy';
import { DEFAULT_SCHEDULE, nextCheckAt } from '../../../functions/domain/check-schedule';
import {
  applyObservation,
  CONSENT_WARNING_SECONDS,
  type Observation,
  type ObservationSource,
  type PlaidItemRecord,
} from '../../../functions/domain/item-state-machine';
import { type ItemStatus, NEEDS_ACTION } from '../../../functions/domain/item-status';
import { classifyPlaidError } from '../../../functions/domain/plaid-errors';

const t0 = new Date('2026-05-01T12:00:00.000Z');
const DAY = 86400;

const CODES = [
  'ITEM_LOGIN_REQUIRED',
  'PENDING_EXPIRATION',
  'PENDING_DISCONNECT',
  'USER_PERMISSION_REVOKED',
  'ITEM_LOCKED',
  'NO_ACCOUNTS',
  'INSTITUTION_DOWN',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMIT_EXCEEDED',
  'ITEM_GET_LIMIT',
  'ITEM_NOT_FOUND',
  'SOMETHING_NEW_2027',
] as const;

/**
 * An observation as data (so a counterexample reads well); consent times are relative to the
 * moment it is applied. `consentIn: null` is Plaid saying there is no consent expiry.
 */
type ObservationSpec =
  | { kind: 'healthy'; consentIn?: number | null }
  | { kind: 'plaid_error'; code: string }
  | { kind: 'pending_expiration'; consentIn: number };

const observation: fc.Arbitrary<ObservationSpec> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('healthy' as const),
      consentIn: fc.option(fc.integer({ min: -DAY, max: 40 * DAY }), { nil: null }),
    },
    { requiredKeys: ['kind'] },
  ),
  fc.record({ kind: fc.constant('plaid_error' as const), code: fc.constantFrom(...CODES) }),
  fc.record({
    kind: fc.constant('pending_expiration' as const),
    consentIn: fc.integer({ min: 0, max: 7 * DAY }),
  }),
);

const after = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

function observe(spec: ObservationSpec, now: Date): Observation {
  switch (spec.kind) {
    case 'healthy':
      if (spec.consentIn === undefined) return { kind: 'healthy' };
      return {
        kind: 'healthy',
        consentExpiresAt: spec.consentIn === null ? null : after(now, spec.consentIn),
      };
    case 'plaid_error':
      return { kind: 'plaid_error', code: spec.code, message: spec.code };
    case 'pending_expiration':
      return { kind: 'pending_expiration', consentExpiresAt: after(now, spec.consentIn) };
  }
}

/** One thing that happens to an Item: a poll, a repair check, or a webhook that may be late. */
const step = fc.record({
  gapSeconds: fc.integer({ min: 0, max: 3 * DAY }),
  source: fc.constantFrom<ObservationSource>('poll', 'webhook', 'repair'),
  /** How long before its arrival a webhook was issued (its `iat`). */
  webhookDelaySeconds: fc.integer({ min: 0, max: 2 * DAY }),
  observation,
});

const linkedItem = (): PlaidItemRecord => ({
  itemId: 'item_1',
  userId: 'usr_1',
  institutionId: 'ins_109508',
  institutionName: 'First Platypus Bank',
  status: 'healthy',
  accessTokenCiphertext: 'v1:x:y',
  createdAt: t0.toISOString(),
  lastCheckedAt: t0.toISOString(),
  nextCheckAt: t0.toISOString(),
  transientFailures: 0,
  lastEventAt: t0.toISOString(),
  version: 1,
});

const isNeeds = (status: ItemStatus) => NEEDS_ACTION.has(status);

describe('Property: the Item state machine', () => {
  it('keeps its invariants through any sequence of polls, repairs and late webhooks', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (steps, r) => {
          // Prepare
          let item = linkedItem();
          let now = t0;
          let episodes = 0;
          const opened: string[] = [];
          const history: { type: string; from?: ItemStatus; to?: ItemStatus }[] = [];
          let replayed: ItemStatus = item.status;

          for (const s of steps) {
            // Act
            now = new Date(now.getTime() + s.gapSeconds * 1000);
            const at =
              s.source === 'webhook' ? new Date(now.getTime() - s.webhookDelaySeconds * 1000) : new Date(now);
            const before = item;
            const obs = observe(s.observation, now);
            const t = applyObservation(
              before,
              obs,
              { source: s.source, at, now, newEpisodeId: () => `eps_${++episodes}`, random: () => r },
              DEFAULT_SCHEDULE,
            );
            item = t.item;
            history.push(...t.events);

            // Assess: at most one open episode, open exactly while the Item needs the user.
            expect(item.episode !== undefined).toBe(isNeeds(item.status));
            // An episode opens only on entering a needs-action status, and keeps its id while it lasts.
            if (isNeeds(before.status) && isNeeds(item.status)) expect(item.episode).toEqual(before.episode);
            if (!isNeeds(before.status) && isNeeds(item.status)) {
              expect(opened).not.toContain(item.episode?.id);
              opened.push(item.episode?.id as string);
            }
            // Restored exactly when a needs-action Item becomes healthy, naming the episode it closes.
            const restored = isNeeds(before.status) && item.status === 'healthy';
            expect(t.restored).toBe(restored);
            if (restored) expect(item.restoredEpisodeId).toBe(before.episode?.id);
            expect(t.events.filter((e) => e.type === 'restored')).toHaveLength(restored ? 1 : 0);
            // History complete: every change of status or error has exactly one event, from → to.
            const statusEvents = t.events.filter((e) => e.type === 'status_changed');
            const statusChanged = before.status !== item.status || before.errorCode !== item.errorCode;
            expect(statusEvents).toHaveLength(statusChanged ? 1 : 0);
            if (statusChanged)
              expect(statusEvents[0]).toMatchObject({ from: before.status, to: item.status });
            if (t.changed === false) expect(statusEvents).toHaveLength(0);
            // Transient trouble and rate limits never open an episode.
            if (obs.kind === 'plaid_error') {
              const category = classifyPlaidError(obs.code).category;
              if (category === 'transient' || category === 'rate_limited') {
                expect(item.episode === undefined || item.episode.id === before.episode?.id).toBe(true);
              }
              if (category === 'rate_limited') expect(t.changed).toBe(false);
            }
            // Time only moves forward; an applied observation schedules the next check in the future.
            expect((item.lastEventAt ?? '') >= (before.lastEventAt ?? '')).toBe(true);
            const ignored = t.events.some((e) => e.type === 'observation_ignored');
            if (ignored) expect(item).toEqual(before);
            else expect(Date.parse(item.nextCheckAt)).toBeGreaterThan(now.getTime());
          }

          for (const e of history) {
            if (e.type !== 'status_changed') continue;
            expect(e.from).toBe(replayed);
            replayed = e.to as ItemStatus;
          }
          expect(replayed).toBe(item.status);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is idempotent: an observation applied twice changes nothing the second time', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 15 }),
        step,
        fc.integer({ min: 0, max: 600 }),
        (prefix, s, later) => {
          // Prepare
          let item = linkedItem();
          let now = t0;
          let episodes = 0;
          const ctx = (source: ObservationSource, at: Date, when: Date) => ({
            source,
            at,
            now: when,
            newEpisodeId: () => `eps_${++episodes}`,
            random: () => 0.5,
          });
          for (const p of prefix) {
            now = new Date(now.getTime() + p.gapSeconds * 1000);
            item = applyObservation(
              item,
              observe(p.observation, now),
              ctx(p.source, now, now),
              DEFAULT_SCHEDULE,
            ).item;
          }
          now = new Date(now.getTime() + s.gapSeconds * 1000);
          const obs = observe(s.observation, now);
          const first = applyObservation(item, obs, ctx(s.source, now, now), DEFAULT_SCHEDULE);

          // Act: the same observation again, as a duplicate webhook or a second pass would bring it.
          const again = new Date(now.getTime() + later * 1000);
          // A deadline passing in between is news (the Item breaks then), not a duplicate; so is
          // consent coming within its 7-day warning (the Item turns pending_expiration then).
          const deadline = first.item.disconnectAt ?? first.item.consentExpiresAt;
          fc.pre(deadline === undefined || deadline <= now.toISOString() || deadline > again.toISOString());
          const consent = first.item.consentExpiresAt;
          const warningAt =
            consent === undefined
              ? undefined
              : new Date(Date.parse(consent) - CONSENT_WARNING_SECONDS * 1000).toISOString();
          fc.pre(
            warningAt === undefined || warningAt <= now.toISOString() || warningAt > again.toISOString(),
          );
          const second = applyObservation(first.item, obs, ctx(s.source, now, again), DEFAULT_SCHEDULE);

          // Assess
          expect(second.changed).toBe(false);
          expect(second.restored).toBe(false);
          expect(second.events.filter((e) => e.type !== 'observation_ignored')).toEqual([]);
          expect(second.item.status).toBe(first.item.status);
          expect(second.item.episode).toEqual(first.item.episode);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores a webhook issued before the newest applied observation, whatever it says', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 15 }), observation, (prefix, late) => {
        // Prepare
        let item = linkedItem();
        let now = t0;
        let n = 0;
        for (const p of prefix) {
          now = new Date(now.getTime() + p.gapSeconds * 1000);
          item = applyObservation(
            item,
            observe(p.observation, now),
            { source: 'poll', at: now, now, newEpisodeId: () => `eps_${++n}`, random: () => 0.5 },
            DEFAULT_SCHEDULE,
          ).item;
        }
        const issuedAt = new Date(Date.parse(item.lastEventAt as string) - 1000);

        // Act
        const t = applyObservation(
          item,
          observe(late, now),
          { source: 'webhook', at: issuedAt, now, newEpisodeId: () => 'eps_late', random: () => 0.5 },
          DEFAULT_SCHEDULE,
        );

        // Assess
        expect(t.item).toEqual(item);
        expect(t.changed).toBe(false);
        expect(t.events.map((e) => e.type)).toEqual(['observation_ignored']);
      }),
      { numRuns: 200 },
    );
  });
});

const STEPS: AlertStep[] = ['alert', ...REMINDER_DAYS.map((d) => `reminder-${d}` as AlertStep)];

describe('Property: the alert schedule of an episode', () => {
  it('sends each step at most once, in order, never an older step after a newer one, and only when due', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 * DAY }), { maxLength: 30 }), (gaps) => {
        // Prepare
        const episode = { id: 'eps_1', startedAt: t0.toISOString() };
        const sent: AlertStep[] = [];
        let now = t0;
        for (const gap of [0, ...gaps]) {
          // Act: a pass at `now` sends what is due.
          now = new Date(now.getTime() + gap * 1000);
          const due = dueStep({ ...episode, sent }, now);
          if (due === undefined) continue;

          // Assess
          expect(sent).not.toContain(due);
          const afterDays = due === 'alert' ? 0 : Number(due.slice('reminder-'.length));
          expect(now.getTime() - t0.getTime()).toBeGreaterThanOrEqual(afterDays * DAY * 1000);
          if (sent.length > 0) {
            expect(STEPS.indexOf(due)).toBeGreaterThan(STEPS.indexOf(sent.at(-1) as AlertStep));
          }
          sent.push(due);
        }
        // A pass made at least once after every step came due has sent the last step.
        if (now.getTime() - t0.getTime() >= 7 * DAY * 1000) expect(sent.at(-1)).toBe('reminder-7');
      }),
      { numRuns: 200 },
    );
  });
});

describe('Property: the check schedule', () => {
  it('always checks again in the future, within the jitter of the interval, backing off up to the cap', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ItemStatus | 'rate_limited'>(
          'healthy',
          'login_required',
          'pending_expiration',
          'pending_disconnect',
          'revoked',
          'error',
          'not_found',
          'rate_limited',
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (status, failures, r) => {
          // Act
          const next = nextCheckAt(status, failures, t0, DEFAULT_SCHEDULE, () => r);
          const seconds = (next.getTime() - t0.getTime()) / 1000;

          // Assess
          const s = DEFAULT_SCHEDULE;
          expect(seconds).toBeGreaterThan(0);
          expect(seconds).toBeGreaterThanOrEqual(Math.floor(s.transientFirstSeconds * (1 - s.jitter)));
          if (status === 'error') {
            expect(seconds).toBeLessThanOrEqual(Math.ceil(s.transientMaxSeconds * (1 + s.jitter)));
            const previous = nextCheckAt(status, Math.max(0, failures - 1), t0, s, () => r);
            expect(next.getTime()).toBeGreaterThanOrEqual(previous.getTime());
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
