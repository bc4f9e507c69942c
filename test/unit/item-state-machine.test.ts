import { describe, expect, it } from 'vitest';
import { alertMessage, dueStep } from '../../functions/domain/alert-policy';
import { DEFAULT_SCHEDULE, nextCheckAt } from '../../functions/domain/check-schedule';
import { applyObservation, type PlaidItemRecord } from '../../functions/domain/item-state-machine';
import { reasonFor } from '../../functions/domain/item-status';
import { classifyPlaidError } from '../../functions/domain/plaid-errors';

const t0 = new Date('2026-05-01T12:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
let episodes = 0;
const ctx = (source: 'poll' | 'webhook' | 'repair', seconds = 0, eventSeconds = seconds) => ({
  source,
  now: at(seconds),
  at: at(eventSeconds),
  newEpisodeId: () => `eps_${++episodes}`,
  random: () => 0.5,
});
const healthy = (over: Partial<PlaidItemRecord> = {}): PlaidItemRecord => ({
  itemId: 'item_1',
  userId: 'usr_1',
  institutionId: 'ins_109508',
  institutionName: 'First Platypus Bank',
  status: 'healthy',
  accessTokenCiphertext: 'v1:x:y',
  createdAt: t0.toISOString(),
  nextCheckAt: t0.toISOString(),
  transientFailures: 0,
  lastEventAt: t0.toISOString(),
  version: 1,
  ...over,
});

describe('Function: classifyPlaidError', () => {
  it.each([
    ['ITEM_LOGIN_REQUIRED', 'reauth', 'login_required'],
    ['PENDING_EXPIRATION', 'reauth', 'pending_expiration'],
    ['PENDING_DISCONNECT', 'reauth', 'pending_disconnect'],
    ['USER_PERMISSION_REVOKED', 'reauth', 'revoked'],
    ['NO_ACCOUNTS', 'reauth', 'login_required'],
    ['ITEM_LOCKED', 'act_at_bank', 'login_required'],
    ['PASSWORD_RESET_REQUIRED', 'act_at_bank', 'login_required'],
    ['INSTITUTION_DOWN', 'transient', 'error'],
    ['INSTITUTION_NOT_RESPONDING', 'transient', 'error'],
    ['INTERNAL_SERVER_ERROR', 'transient', 'error'],
    ['PLANNED_MAINTENANCE', 'transient', 'error'],
    ['RATE_LIMIT_EXCEEDED', 'rate_limited', undefined],
    ['ITEM_GET_LIMIT', 'rate_limited', undefined],
    ['ITEM_NOT_FOUND', 'permanent', 'not_found'],
    ['INSTITUTION_NO_LONGER_SUPPORTED', 'permanent', 'not_found'],
    ['INVALID_ACCESS_TOKEN', 'operator', undefined],
    ['INVALID_API_KEYS', 'operator', undefined],
  ])('%s is %s → %s', (code, category, status) => {
    expect(classifyPlaidError(code)).toEqual({ category, status, known: true });
  });

  it('treats unknown codes as transient, never healthy', () => {
    expect(classifyPlaidError('SOMETHING_NEW_2027')).toEqual({
      category: 'transient',
      status: 'error',
      known: false,
    });
  });
});

describe('Function: applyObservation', () => {
  it('opens an episode when an Item breaks, and records the change with its source and code', () => {
    const t = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('poll', 10),
      DEFAULT_SCHEDULE,
    );
    expect(t.item.status).toBe('login_required');
    expect(t.item.episode?.startedAt).toBe(at(10).toISOString());
    expect(t.events).toEqual([
      expect.objectContaining({
        type: 'status_changed',
        from: 'healthy',
        to: 'login_required',
        source: 'poll',
        errorCode: 'ITEM_LOGIN_REQUIRED',
      }),
    ]);
    expect(t.changed).toBe(true);
  });

  it('is idempotent: the same observation again changes nothing', () => {
    const first = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('poll', 10),
      DEFAULT_SCHEDULE,
    );
    const second = applyObservation(
      first.item,
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('poll', 20),
      DEFAULT_SCHEDULE,
    );
    expect(second.changed).toBe(false);
    expect(second.events).toEqual([]);
    expect(second.item.episode).toEqual(first.item.episode);
  });

  it('keeps one episode across needs-action statuses and closes it with "restored" when healthy', () => {
    const broken = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('poll', 10),
      DEFAULT_SCHEDULE,
    );
    const other = applyObservation(
      broken.item,
      { kind: 'plaid_error', code: 'PENDING_DISCONNECT' },
      ctx('poll', 20),
      DEFAULT_SCHEDULE,
    );
    expect(other.item.episode?.id).toBe(broken.item.episode?.id);
    const fixed = applyObservation(other.item, { kind: 'healthy' }, ctx('repair', 30), DEFAULT_SCHEDULE);
    expect(fixed.item.status).toBe('healthy');
    expect(fixed.item.episode).toBeUndefined();
    expect(fixed.restored).toBe(true);
    expect(fixed.item.restoredEpisodeId).toBe(broken.item.episode?.id);
    expect(fixed.events.map((e) => e.type)).toEqual(['status_changed', 'restored']);
  });

  it('never alerts for transient errors, and backs off from 15 minutes to 4 hours', () => {
    let item = healthy();
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = applyObservation(
        item,
        { kind: 'plaid_error', code: 'INSTITUTION_DOWN' },
        ctx('poll', i),
        DEFAULT_SCHEDULE,
      );
      expect(t.item.episode).toBeUndefined();
      gaps.push((Date.parse(t.item.nextCheckAt) - at(i).getTime()) / 60_000);
      item = t.item;
    }
    expect(item.status).toBe('error');
    expect(gaps).toEqual([15, 30, 60, 120, 240, 240]);
  });

  it('keeps a needs-action status through an outage (an outage proves no repair)', () => {
    const broken = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('poll', 1),
      DEFAULT_SCHEDULE,
    );
    const outage = applyObservation(
      broken.item,
      { kind: 'plaid_error', code: 'INSTITUTION_DOWN' },
      ctx('poll', 2),
      DEFAULT_SCHEDULE,
    );
    expect(outage.item.status).toBe('login_required');
    expect(outage.item.episode?.id).toBe(broken.item.episode?.id);
  });

  it('changes nothing on a rate limit, and tries again later', () => {
    const t = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'RATE_LIMIT_EXCEEDED' },
      ctx('poll', 5),
      DEFAULT_SCHEDULE,
    );
    expect(t.changed).toBe(false);
    expect(t.item.status).toBe('healthy');
    expect(Date.parse(t.item.nextCheckAt) - at(5).getTime()).toBe(15 * 60_000);
  });

  it('ignores a webhook older than the newest observation applied', () => {
    const broken = applyObservation(
      healthy(),
      { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' },
      ctx('webhook', 100, 100),
      DEFAULT_SCHEDULE,
    );
    const late = applyObservation(
      broken.item,
      { kind: 'healthy' },
      ctx('webhook', 110, 50),
      DEFAULT_SCHEDULE,
    );
    expect(late.changed).toBe(false);
    expect(late.item.status).toBe('login_required');
  });

  it('marks consent ending within a week as pending expiration', () => {
    const t = applyObservation(
      healthy(),
      { kind: 'healthy', consentExpiresAt: at(3 * 86400).toISOString() },
      ctx('poll', 0),
      DEFAULT_SCHEDULE,
    );
    expect(t.item.status).toBe('pending_expiration');
    expect(t.item.episode).toBeDefined();
  });
});

describe('Function: nextCheckAt', () => {
  it('checks healthy Items daily and broken ones every 6 hours, with ±10% jitter', () => {
    expect(nextCheckAt('healthy', 0, t0, DEFAULT_SCHEDULE, () => 0.5)).toEqual(at(86400));
    expect(nextCheckAt('login_required', 0, t0, DEFAULT_SCHEDULE, () => 0.5)).toEqual(at(6 * 3600));
    expect(nextCheckAt('healthy', 0, t0, DEFAULT_SCHEDULE, () => 0)).toEqual(at(86400 * 0.9));
    expect(nextCheckAt('healthy', 0, t0, DEFAULT_SCHEDULE, () => 0.999999).getTime()).toBeLessThanOrEqual(
      at(86400 * 1.1).getTime(),
    );
  });
});

describe('Function: dueStep', () => {
  const episode = { id: 'eps', startedAt: t0.toISOString() };
  it('sends the alert, then reminders after 1, 3 and 7 days, then nothing', () => {
    expect(dueStep({ ...episode, sent: [] }, at(0))).toBe('alert');
    expect(dueStep({ ...episode, sent: ['alert'] }, at(3600))).toBeUndefined();
    expect(dueStep({ ...episode, sent: ['alert'] }, at(86400))).toBe('reminder-1');
    expect(dueStep({ ...episode, sent: ['alert', 'reminder-1'] }, at(3 * 86400))).toBe('reminder-3');
    expect(dueStep({ ...episode, sent: ['alert', 'reminder-1', 'reminder-3'] }, at(7 * 86400))).toBe(
      'reminder-7',
    );
    expect(
      dueStep({ ...episode, sent: ['alert', 'reminder-1', 'reminder-3', 'reminder-7'] }, at(30 * 86400)),
    ).toBeUndefined();
  });

  it('sends only the latest due step after a gap, never an older one after a newer', () => {
    expect(dueStep({ ...episode, sent: [] }, at(4 * 86400))).toBe('reminder-3');
    expect(dueStep({ ...episode, sent: ['reminder-3'] }, at(4 * 86400))).toBeUndefined();
  });

  it('writes a message that names the bank and says what to do, nothing secret', () => {
    const text = alertMessage(
      'alert',
      'First Platypus Bank',
      reasonFor('login_required', 'ITEM_LOGIN_REQUIRED') ?? '',
    );
    expect(text).toBe(
      'LinkGuard: First Platypus Bank — Your bank needs you to sign in again. Open the app and tap Reconnect.',
    );
  });
});
