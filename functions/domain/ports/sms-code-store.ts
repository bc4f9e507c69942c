import type { IdentityRecord } from '../model';
import type { PhoneSendHistory, SmsCodeRecord } from '../sms-code-policy';

/** Outcome of claiming one SMS send. */
export type SendReservation = { outcome: 'reserved' } | { outcome: 'limited'; retryAfterSeconds: number };

/** SMS codes and the counters that limit sending them. */
export interface SmsCodeStore {
  /** The phone's recent sends (consistent read). */
  loadSendHistory(phone: string): Promise<PhoneSendHistory | undefined>;
  /**
   * Claims one send in one transaction: the phone's history (only if unchanged since it was
   * read), the per-IP and daily counters (only under their limits), and the new code, which
   * replaces any previous one. `limited` says for how long the caller must wait.
   */
  reserveSend(input: {
    phone: string;
    ip: string;
    now: Date;
    history: PhoneSendHistory | undefined;
    sends: string[];
    code: SmsCodeRecord;
    perIpPerHour: number;
    dailyCap: number;
  }): Promise<SendReservation>;
  /** Undoes a reservation whose SMS could not be sent: no usable code, no counted send. */
  releaseSend(input: {
    phone: string;
    ip: string;
    now: Date;
    codeId: string;
    history: PhoneSendHistory | undefined;
  }): Promise<void>;
  /**
   * The phone's code and the phone's identity, in one round trip. The code may have expired
   * (callers judge it by `expiresAt`).
   */
  loadCodeAndIdentity(
    phone: string,
  ): Promise<{ code: SmsCodeRecord | undefined; identity: IdentityRecord | undefined }>;
  /**
   * Counts one wrong try on this exact code and returns the attempts so far; `maxAttempts` when
   * the code is gone, replaced or already spent (nothing is counted then).
   */
  countWrongAttempt(phone: string, codeId: string, maxAttempts: number): Promise<number>;
  /**
   * Spends a code that proved the phone (single use), if it is still this code and under the
   * attempt limit; false if it is gone, replaced, spent or exhausted.
   */
  consumeCode(phone: string, codeId: string, maxAttempts: number): Promise<boolean>;
}
