import type { IdentityRecord } from '../../domain/model';
import type { SendReservation, SmsCodeStore } from '../../domain/ports/sms-code-store';
import type { PhoneSendHistory } from '../../domain/sms-code-policy';
import { identities } from './entities/identity';
import { smsCodes } from './entities/sms-code';
import { countSend, phoneSends, sendWindows, underLimit } from './entities/sms-limits';
import type { Table } from './table';

/** SMS codes and their send limits in DynamoDB. Every limit is a condition, never a read-then-write. */
export class DynamoSmsCodeStore implements SmsCodeStore {
  constructor(private readonly table: Table) {}

  /** Pattern: a phone's recent sends (GetItem, consistent). */
  async loadSendHistory(phone: string): Promise<PhoneSendHistory | undefined> {
    const item = await this.table.get(phoneSends.key(phone));
    return item === undefined ? undefined : phoneSends.fromItem(item);
  }

  /**
   * Pattern: reserve an SMS send (TransactWriteItems: phone history with a version check,
   * IP-hour and global-day counters with limit conditions, the code).
   */
  async reserveSend(input: Parameters<SmsCodeStore['reserveSend']>[0]): Promise<SendReservation> {
    const windows = sendWindows(input.ip, input.now);
    const history = { sends: input.sends, version: (input.history?.version ?? 0) + 1 };
    const outcome = await this.table
      .transaction()
      .put(phoneSends.toItem(input.phone, history, input.now), {
        if: phoneSends.unchangedSince(input.history),
        name: 'phone',
      })
      .update(windows.ip.key, countSend(1, windows.ip.ends), {
        if: underLimit(input.perIpPerHour),
        name: 'ip',
      })
      .update(windows.day.key, countSend(1, windows.day.ends), {
        if: underLimit(input.dailyCap),
        name: 'day',
      })
      .put(smsCodes.toItem(input.phone, input.code))
      .run();
    if (outcome.ok) return { outcome: 'reserved' };
    const seconds = (end: Date) => Math.max(1, Math.ceil((end.getTime() - input.now.getTime()) / 1000));
    switch (outcome.failed) {
      case 'ip':
        return { outcome: 'limited', retryAfterSeconds: seconds(windows.ip.ends) };
      case 'day':
        return { outcome: 'limited', retryAfterSeconds: seconds(windows.day.ends) };
      case 'phone':
        // The history changed since it was read: a parallel send won.
        return { outcome: 'limited', retryAfterSeconds: 60 };
    }
  }

  /** Pattern: undo a reservation (TransactWriteItems: restore history, decrement counters, delete code). */
  async releaseSend(input: Parameters<SmsCodeStore['releaseSend']>[0]): Promise<void> {
    const windows = sendWindows(input.ip, input.now);
    const restored = { sends: input.history?.sends ?? [], version: (input.history?.version ?? 0) + 2 };
    await this.table
      .transaction()
      .put(phoneSends.toItem(input.phone, restored, input.now))
      .update(windows.ip.key, countSend(-1, windows.ip.ends))
      .update(windows.day.key, countSend(-1, windows.day.ends))
      // Only the code reserved: a newer send's code is never deleted (CONFLICT instead).
      .delete(smsCodes.key(input.phone), { if: smsCodes.sameCode(input.codeId) })
      .run();
  }

  /** Pattern: a phone's live code and its identity (BatchGetItem, consistent). */
  async loadCodeAndIdentity(phone: string) {
    const codeKey = smsCodes.key(phone);
    const identityKey = identities.key('phone', phone);
    const items = await this.table.getMany([codeKey, identityKey]);
    const code = items.find((i) => i.pk === codeKey.pk);
    const identity = items.find((i) => i.pk === identityKey.pk);
    return {
      code: code === undefined ? undefined : smsCodes.fromItem(code),
      identity: identity === undefined ? undefined : (identities.fromItem(identity) as IdentityRecord),
    };
  }

  /** Pattern: count a wrong code (UpdateItem ADD, only on this code and under the limit). */
  async countWrongAttempt(phone: string, codeId: string, maxAttempts: number): Promise<number> {
    const result = await this.table.update(
      smsCodes.key(phone),
      { expression: 'ADD attempts :one', values: { ':one': 1 } },
      smsCodes.usable(codeId, maxAttempts),
    );
    return result.written ? Number(result.attributes?.attempts ?? 0) : maxAttempts;
  }

  /** Pattern: spend a code that proved the phone (DeleteItem, only this code and under the limit). */
  async consumeCode(phone: string, codeId: string, maxAttempts: number): Promise<boolean> {
    return this.table.delete(smsCodes.key(phone), smsCodes.usable(codeId, maxAttempts));
  }
}
