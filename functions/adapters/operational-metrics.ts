import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AppError } from '../domain/errors';
import type { SecuritySignals } from '../domain/ports/security-signals';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricKey } from './metric-catalog';

type DimensionsOf<K extends MetricKey> = Record<(typeof METRIC)[K]['dimensions'][number], string>;

/** A way into the account, as the `Method` dimension names it. */
export type SignInMethod = 'password' | 'sms' | 'wechat' | 'qq' | 'apple' | 'google';

let metrics: Metrics | undefined;

/**
 * Counts one occurrence of an operational metric, written at once as a CloudWatch EMF line on
 * stdout (Powertools' single metric: each line carries its own dimensions, so nothing waits
 * for a flush and a crash loses nothing already counted).
 *
 * @example
 * countMetric('signIn', { Method: 'password', Outcome: 'succeeded' });
 */
export function countMetric<K extends MetricKey>(key: K, dimensions: DimensionsOf<K>): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  const single = metrics.singleMetric();
  for (const [name, value] of Object.entries(dimensions) as [string, string][])
    single.addDimension(name, value);
  single.addMetric(METRIC[key].name, MetricUnit.Count, 1);
}

/** The security signals of the domain, counted as metrics. */
export const metricSecuritySignals: SecuritySignals = {
  lockedOut: () => countMetric('lockout', {}),
  unknownUsername: () => countMetric('unknownUsernameLogin', {}),
  refreshTokenReused: () => countMetric('refreshTokenReuse', {}),
};

/** What a request ended as: `succeeded`, or the code it was refused with (`error` for a non-AppError). */
function outcomeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'error';
}

/**
 * Awaits a sign-in and counts it by way in: `SignIn` with its outcome, and `SignUp` when it
 * created the account. The answer or the error passes through unchanged.
 *
 * @example
 * const grant = await countedSignIn('sms', verifySmsCode()(phone, code, client));
 */
export function countedSignIn<T>(method: SignInMethod, work: Promise<T>): Promise<T> {
  return work.then(
    (result) => {
      countMetric('signIn', { Method: method, Outcome: 'succeeded' });
      if ((result as { isNewUser?: unknown }).isNewUser === true) countMetric('signUp', { Method: method });
      return result;
    },
    (error: unknown) => {
      countMetric('signIn', { Method: method, Outcome: outcomeOf(error) });
      throw error;
    },
  );
}

/** Awaits an account created with a password and counts it (`SignUp`, method `password`). */
export function countedSignUp<T>(work: Promise<T>): Promise<T> {
  return work.then((result) => {
    countMetric('signUp', { Method: 'password' });
    return result;
  });
}

/** Awaits a sign-in code's send and counts it: `SmsCode` `sent`, or the code it was refused with. */
export function countedSmsCode<T>(work: Promise<T>): Promise<T> {
  return work.then(
    (result) => {
      countMetric('smsCode', { Outcome: 'sent' });
      return result;
    },
    (error: unknown) => {
      countMetric('smsCode', { Outcome: outcomeOf(error) });
      throw error;
    },
  );
}

/** Counts one poller check: its outcome, and the status it found the Item in. */
export function countItemCheck(
  outcome: 'changed' | 'unchanged' | 'skipped' | 'failed',
  status?: string,
): void {
  countMetric('itemCheck', { Outcome: outcome });
  if (status !== undefined) countMetric('checkedItemStatus', { Status: status });
}

/** Counts an error of our own configuration that Plaid answered (no Item was changed). */
export function countOperatorFault(code: string): void {
  countMetric('plaidOperatorFault', { Code: code });
}

/** Counts the poller being paused by its circuit breaker (a trip, or a dispatcher run skipped). */
export function countPollerPaused(): void {
  countMetric('pollerPaused', {});
}

/** Counts one processed webhook by what processing did. */
export function countWebhook(outcome: string): void {
  countMetric('plaidWebhook', { Outcome: outcome });
}
