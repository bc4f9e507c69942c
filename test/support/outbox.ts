import { localOutbox } from '../../functions/adapters/outbox';

/** The six-digit code in the newest SMS to `phone` (E.164), read from the local outbox. */
export function latestCode(phone: string): string {
  const message = localOutbox.messages.filter((m) => m.to === phone).at(-1);
  const code = message?.message.match(/\b(\d{6})\b/)?.[1];
  if (code === undefined) throw new Error(`No SMS code for ${phone} in the outbox.`);
  return code;
}

/** How many SMS the outbox holds for `phone`. */
export const smsCount = (phone: string) => localOutbox.messages.filter((m) => m.to === phone).length;

let next = 0;
/** A fresh valid Chinese mobile number, E.164. */
export function freshPhone(): string {
  next++;
  return `+86138${String(Date.now() % 100000).padStart(5, '0')}${String(next).padStart(3, '0')}`.slice(0, 14);
}
