import { describe, expect, it } from 'vitest';
import { consoleView } from '../../local/console/console-view';
import type { StoredRecord } from '../../local/console/table-snapshot';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const user = (extra: Record<string, unknown> = {}): StoredRecord => ({
  pk: 'USER#usr_1',
  sk: 'PROFILE',
  entity: 'user',
  id: 'usr_1',
  displayName: 'Mei',
  createdAt: '2026-03-01T10:00:00.000Z',
  notifications: { sms: true, email: true },
  ...extra,
});
const item = (extra: Record<string, unknown> = {}): StoredRecord => ({
  pk: 'ITEM#itm_1',
  sk: 'ITEM',
  entity: 'plaidItem',
  itemId: 'itm_1',
  userId: 'usr_1',
  institutionName: 'First Platypus Bank',
  status: 'login_required',
  errorCode: 'ITEM_LOGIN_REQUIRED',
  createdAt: '2026-03-01T10:00:00.000Z',
  episode: { id: 'eps_1', startedAt: '2026-03-01T11:00:00.000Z' },
  ...extra,
});
const claim = (channel: string): StoredRecord => ({
  pk: 'ITEM#itm_1',
  sk: `ALERT#eps_1#alert#${channel}`,
  entity: 'alertClaim',
  step: 'alert',
  channel,
  state: 'sent',
  sentAt: '2026-03-01T11:00:01.000Z',
});
const view = (records: StoredRecord[]) =>
  consoleView({ records, outbox: [], plaidItems: [], webhooks: [], now: NOW });

describe('The console explains why an alert was or was not sent', () => {
  it('names the channels sent, the missing phone, and the next reminder', () => {
    // Act
    const { items } = view([user(), item(), claim('topic')]);

    // Assess
    expect(items[0]?.alerts).toEqual([
      'Sent: alert by topic at 2026-03-01T11:00:01.000Z.',
      'No SMS: the user has no verified phone number.',
      'No email: the user has no email address (PATCH /v1/me).',
      'Next: reminder after 1 day, due 2026-03-02T11:00:00.000Z (move the clock to see it).',
    ]);
  });

  it('says SMS was turned off, and email waits for a confirmed subscription', () => {
    const { items } = view([
      user({
        phone: '+8613900001111',
        email: 'mei@example.com',
        emailConfirmed: false,
        notifications: { sms: false },
      }),
      item(),
      claim('topic'),
    ]);
    expect(items[0]?.alerts).toContain('No SMS: the user turned SMS alerts off.');
    expect(items[0]?.alerts).toContain(
      "No email yet: mei@example.com has not confirmed the alert topic's subscription.",
    );
  });

  it('sends nothing for a transient error, and says so', () => {
    const { items } = view([
      user(),
      item({ status: 'error', errorCode: 'INSTITUTION_DOWN', episode: undefined }),
    ]);
    expect(items[0]?.alerts[0]).toMatch(/^No alert: the bank is having trouble \(a transient error\)/);
  });

  it('says when a break has not been alerted yet', () => {
    const { items } = view([user({ phone: '+8613900001111' }), item()]);
    expect(items[0]?.alerts[0]).toBe(
      'Not sent yet: the alert goes out when a check or a webhook sees the break (run the poller).',
    );
  });
});

describe('The console builds each Item a timeline with sources', () => {
  it('classifies link, break, alert and repair, newest first', () => {
    // Prepare
    const event = (at: string, extra: Record<string, unknown>): StoredRecord => ({
      pk: 'ITEM#itm_1',
      sk: `EVENT#${at}`,
      entity: 'plaidItemEvent',
      at,
      ...extra,
    });

    // Act
    const { items } = view([
      user(),
      item({ status: 'healthy', episode: undefined }),
      event('2026-03-01T10:00:00.000Z', { type: 'linked', source: 'link', to: 'healthy' }),
      event('2026-03-01T11:00:00.000Z', {
        type: 'status_changed',
        source: 'webhook',
        from: 'healthy',
        to: 'login_required',
        errorCode: 'ITEM_LOGIN_REQUIRED',
      }),
      event('2026-03-01T11:00:01.000Z', { type: 'alert_sent', step: 'alert', detail: 'sms' }),
      event('2026-03-01T11:30:00.000Z', {
        type: 'status_changed',
        source: 'repair',
        from: 'login_required',
        to: 'healthy',
      }),
    ]);

    // Assess
    expect(items[0]?.timeline.map((t) => [t.kind, t.source ?? null])).toEqual([
      ['repair', 'repair'],
      ['alert', null],
      ['break', 'webhook'],
      ['link', 'link'],
    ]);
    expect(items[0]?.alerts).toEqual(['Healthy: nothing to tell the user.']);
  });
});
