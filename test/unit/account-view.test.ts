import { beforeEach, describe, expect, it } from 'vitest';
import { getAccount, listAccountEvents } from '../../functions/domain/account-view';
import type { AuditEvent, UserRecord } from '../../functions/domain/model';
import { InMemoryAuditLog } from '../fakes/audit-log';
import { InMemoryTable } from '../fakes/in-memory-table';
import { InMemoryUserDirectory } from '../fakes/user-directory';
import { ManualClock } from '../support/manual-clock';

const alice: UserRecord = {
  id: 'usr_alice',
  displayName: 'Alice',
  phone: '+8613800138000',
  emailConfirmed: false,
  notifications: { sms: true, email: false },
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('Use case: getAccount', () => {
  let users: InMemoryUserDirectory;

  beforeEach(() => {
    users = new InMemoryUserDirectory(new InMemoryTable());
  });

  describe('the signed-in user', () => {
    it('shows the user with their ways in, never a password hash', async () => {
      // Prepare
      users.add(alice, [
        {
          type: 'phone',
          subject: '+8613800138000',
          userId: alice.id,
          label: '+86 138****8000',
          linkedAt: '2026-01-01T00:00:00.000Z',
        },
        {
          type: 'password',
          subject: 'alice',
          userId: alice.id,
          label: 'al***',
          linkedAt: '2026-01-02T00:00:00.000Z',
          passwordHash: '$argon2id$secret',
        },
      ]);

      // Act
      const view = await getAccount({ users })(alice.id);

      // Assess
      expect(view).toEqual({
        id: alice.id,
        displayName: 'Alice',
        phone: '+8613800138000',
        emailConfirmed: false,
        notifications: { sms: true, email: false },
        identities: [
          { type: 'phone', label: '+86 138****8000', linkedAt: '2026-01-01T00:00:00.000Z' },
          { type: 'password', label: 'al***', linkedAt: '2026-01-02T00:00:00.000Z' },
        ],
        createdAt: alice.createdAt,
      });
      expect(JSON.stringify(view)).not.toContain('argon2');
    });

    it('answers NOT_FOUND for a user that does not exist (deleted since the token was issued)', async () => {
      // Act
      const attempt = getAccount({ users })('usr_gone');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('Use case: listAccountEvents', () => {
  let clock: ManualClock;
  let table: InMemoryTable;
  let audit: InMemoryAuditLog;

  const event = (n: number, userId = alice.id): AuditEvent => ({
    id: `evt_${String(n).padStart(3, '0')}`,
    userId,
    type: 'login.succeeded',
    at: new Date(Date.parse('2026-01-10T00:00:00.000Z') + n * 60_000).toISOString(),
    ip: '203.0.113.9',
    detail: { method: 'password' },
  });

  beforeEach(() => {
    clock = new ManualClock('2026-01-15T09:00:00.000Z');
    table = new InMemoryTable(400 * 86400);
    audit = new InMemoryAuditLog(table);
  });

  describe('the history', () => {
    it('pages through the history newest first, 25 at a time, without the user id', async () => {
      // Prepare
      for (let n = 0; n < 30; n++) await audit.append(event(n));
      await audit.append(event(99, 'usr_bob'));

      // Act
      const first = await listAccountEvents({ audit, clock })(alice.id, undefined);
      const second = await listAccountEvents({ audit, clock })(alice.id, first.nextCursor);

      // Assess
      expect(first.events).toHaveLength(25);
      expect(first.events[0]).toEqual({
        id: 'evt_029',
        type: 'login.succeeded',
        at: event(29).at,
        ip: '203.0.113.9',
        detail: { method: 'password' },
      });
      expect(first.events.every((e) => !('userId' in e))).toBe(true);
      expect(first.nextCursor).toBeDefined();
      expect(second.events.map((e) => e.id)).toEqual(['evt_004', 'evt_003', 'evt_002', 'evt_001', 'evt_000']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('leaves out events past their retention', async () => {
      // Prepare
      await audit.append(event(1));
      clock.advance(401 * 86400);
      await audit.append({ ...event(2), at: clock.now().toISOString() });

      // Act
      const page = await listAccountEvents({ audit, clock })(alice.id, undefined);

      // Assess
      expect(page.events.map((e) => e.id)).toEqual(['evt_002']);
    });

    it('refuses a cursor it did not hand out with VALIDATION_FAILED', async () => {
      // Act
      const attempt = listAccountEvents({ audit, clock })(alice.id, 'not-a-cursor!');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});
