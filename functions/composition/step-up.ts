import { requireRecentAuthentication } from '../domain/step-up';
import type { SensitiveCheck } from '../http/middleware/sensitive-route';
import { sessions } from './accounts';
import { currentRuntime } from './runtime';

/**
 * The check in front of every sensitive route: the session read from the table (one consistent
 * GetItem) and the token's `auth_time` within `STEP_UP_MAX_AGE_SECONDS`. Built on first use.
 */
export const stepUpCheck: SensitiveCheck = (caller) => {
  const { config, clock } = currentRuntime();
  return requireRecentAuthentication({
    sessions: sessions(),
    clock,
    policy: { maxAgeSeconds: config.stepUpMaxAgeSeconds },
  })(caller);
};
