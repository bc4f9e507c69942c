import { ConflictError } from '../../functions/domain/errors';
import type { SendReservation, SmsCodeStore } from '../../functions/domain/ports/sms-code-store';
import { windowEnds } from '../../functions/domain/sms-code-policy';
import { copy, InMemoryTable } from './in-memory-table';

/**
 * {@link SmsCodeStore} in memory, with the DynamoDB adapter's conditions: the phone's history
 * only if unchanged since read, the per-IP hour and global day counters only under their limits,
 * all or nothing, judged in that order.
 */
export class InMemorySmsCodeStore implements SmsCodeStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async loadSendHistory(phone: string) {
    return copy(this.table.phoneSends.get(phone));
  }

  async reserveSend(input: Parameters<SmsCodeStore['reserveSend']>[0]): Promise<SendReservation> {
    const { hourEnd, dayEnd, ipKey, day } = windowsOf(input.ip, input.now);
    const seconds = (end: Date) => Math.max(1, Math.ceil((end.getTime() - input.now.getTime()) / 1000));
    const stored = this.table.phoneSends.get(input.phone);
    const unchanged =
      input.history === undefined ? stored === undefined : stored?.version === input.history.version;
    if (!unchanged) return { outcome: 'limited', retryAfterSeconds: 60 };
    if ((this.table.ipSends.get(ipKey) ?? 0) >= input.perIpPerHour)
      return { outcome: 'limited', retryAfterSeconds: seconds(hourEnd) };
    if ((this.table.dailySends.get(day) ?? 0) >= input.dailyCap)
      return { outcome: 'limited', retryAfterSeconds: seconds(dayEnd) };
    this.table.phoneSends.set(input.phone, {
      sends: [...input.sends],
      version: (input.history?.version ?? 0) + 1,
    });
    this.table.ipSends.set(ipKey, (this.table.ipSends.get(ipKey) ?? 0) + 1);
    this.table.dailySends.set(day, (this.table.dailySends.get(day) ?? 0) + 1);
    this.table.smsCodes.set(input.phone, copy(input.code));
    return { outcome: 'reserved' };
  }

  async releaseSend(input: Parameters<SmsCodeStore['releaseSend']>[0]): Promise<void> {
    const { ipKey, day } = windowsOf(input.ip, input.now);
    // The code must still be the one reserved; a newer send's code is never deleted.
    if (this.table.smsCodes.get(input.phone)?.codeId !== input.codeId) throw new ConflictError();
    this.table.phoneSends.set(input.phone, {
      sends: [...(input.history?.sends ?? [])],
      version: (input.history?.version ?? 0) + 2,
    });
    this.table.ipSends.set(ipKey, (this.table.ipSends.get(ipKey) ?? 0) - 1);
    this.table.dailySends.set(day, (this.table.dailySends.get(day) ?? 0) - 1);
    this.table.smsCodes.delete(input.phone);
  }

  async loadCodeAndIdentity(phone: string) {
    return { code: copy(this.table.smsCodes.get(phone)), identity: this.table.identity('phone', phone) };
  }

  async countWrongAttempt(phone: string, codeId: string, maxAttempts: number): Promise<number> {
    const code = this.table.smsCodes.get(phone);
    if (code === undefined || code.codeId !== codeId || code.attempts >= maxAttempts) return maxAttempts;
    code.attempts += 1;
    return code.attempts;
  }

  async consumeCode(phone: string, codeId: string, maxAttempts: number): Promise<boolean> {
    const code = this.table.smsCodes.get(phone);
    if (code === undefined || code.codeId !== codeId || code.attempts >= maxAttempts) return false;
    this.table.smsCodes.delete(phone);
    return true;
  }
}

function windowsOf(ip: string, now: Date) {
  const hourEnd = windowEnds.hour(now);
  const dayEnd = windowEnds.day(now);
  const hourStart = new Date(hourEnd.getTime() - 3600_000).toISOString();
  const day = new Date(dayEnd.getTime() - 86400_000).toISOString().slice(0, 10);
  return { hourEnd, dayEnd, ipKey: `${ip}#${hourStart}`, day };
}
