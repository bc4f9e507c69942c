import type { Clock } from '../domain/clock';

/** The real clock, for production; tests and the local runtime pass one they can move. */
export const systemClock: Clock = { now: () => new Date() };
