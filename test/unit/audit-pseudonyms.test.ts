import { describe, expect, it } from 'vitest';
import { pseudonymisedEvent } from '../../functions/domain/audit-pseudonyms';
import type { AuditEvent } from '../../functions/domain/model';

const event = (extra: Partial<AuditEvent>): AuditEvent => ({
  id: 'evt_1',
  userId: 'usr_1',
  type: 'phone.changed',
  at: '2026-03-01T10:00:00.000Z',
  sessionId: 'ses_1',
  ip: '203.0.113.9',
  userAgent: 'LinkGuard/2.4 (iPhone15,2; iOS 17.4)',
  ...extra,
});

describe('Function: pseudonymisedEvent', () => {
  it('drops the IP address, the user agent and the phone labels, and keeps what happened and when', () => {
    // Act
    const kept = pseudonymisedEvent(event({ detail: { to: '+86 139****0000', from: '+86 138****0000' } }));

    // Assess
    expect(kept).toEqual({
      id: 'evt_1',
      userId: 'usr_1',
      type: 'phone.changed',
      at: '2026-03-01T10:00:00.000Z',
      sessionId: 'ses_1',
      pseudonymised: true,
    });
  });

  it('keeps only the listed detail keys: a key it does not know is dropped as personal', () => {
    const kept = pseudonymisedEvent(
      event({ type: 'login.failed', detail: { method: 'password', failures: 3, email: 'a@example.com' } }),
    );
    expect(kept.detail).toEqual({ method: 'password', failures: 3 });
  });

  it('is idempotent: pseudonymising twice gives the same event', () => {
    const once = pseudonymisedEvent(event({ detail: { type: 'google', reason: 'number_taken_over' } }));
    expect(pseudonymisedEvent(once)).toEqual(once);
  });
});
