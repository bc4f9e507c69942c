/** A value loaded on first use and kept: see {@link lazy}. */
export type Lazy<T> = () => Promise<T>;

/**
 * Loads a value on first call and keeps it, but only if the load succeeded: a rejected load is
 * forgotten, so the next caller tries again. One throttled Secrets Manager call must cost one
 * failed request, not every request until Lambda recycles the container. Callers that arrive
 * while a load is running share it.
 *
 * The one loader for everything a container reads once: secrets, signing keys, SDK clients, the
 * Plaid client, lazily imported modules.
 *
 * @example
 * const pepper = lazy(() => secrets.load());
 * await pepper(); // loads
 * await pepper(); // cached
 */
export function lazy<T>(load: () => Promise<T>): Lazy<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = (async () => load())();
      pending = attempt;
      attempt.catch(() => {
        // Only forget this attempt: a newer one may already be running.
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
