/**
 * Where the domain gets the time. Production passes the system clock
 * (`adapters/system-clock.ts`); tests pass a clock they move by hand, so expiry is tested
 * without sleeping.
 */
export interface Clock {
  now(): Date;
}

/** Whole epoch seconds, the unit of DynamoDB's TTL attribute. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** `date` moved by `seconds`. */
export const addSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);
