import type { MailBrake, MailReservation } from '../../domain/ports/mail-brake';
import { clientMailWindow, countMail, mailWindows, underMailLimit } from './entities/mail-counters';
import type { Table } from './table';

/** The per-account mail brake in DynamoDB: two conditional counters in one transaction. */
export class DynamoMailBrake implements MailBrake {
  constructor(private readonly table: Table) {}

  /** Pattern: count a mail (TransactWriteItems: hour and day counters `ADD mails 1` under their limits). */
  async reserve(input: Parameters<MailBrake['reserve']>[0]): Promise<MailReservation> {
    const windows = mailWindows(input.userId, input.now);
    const outcome = await this.table
      .transaction()
      .update(windows.hour.key, countMail(windows.hour.ends), {
        if: underMailLimit(input.limits.perHour),
        name: 'hour',
      })
      .update(windows.day.key, countMail(windows.day.ends), {
        if: underMailLimit(input.limits.perDay),
        name: 'day',
      })
      .run();
    if (outcome.ok) return { allowed: true };
    const end = outcome.failed === 'hour' ? windows.hour.ends : windows.day.ends;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((end.getTime() - input.now.getTime()) / 1000)),
    };
  }

  /** Pattern: count a client's mail request (UpdateItem `MAILRATE#ip#<ip>` `ADD mails 1` under the limit). */
  async reserveFromClient(input: Parameters<MailBrake['reserveFromClient']>[0]): Promise<MailReservation> {
    const window = clientMailWindow(input.ip, input.now);
    const result = await this.table.update(window.key, countMail(window.ends), underMailLimit(input.perHour));
    if (result.written) return { allowed: true };
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((window.ends.getTime() - input.now.getTime()) / 1000)),
    };
  }
}
