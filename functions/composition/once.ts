/**
 * A value built on first call and kept for the life of the container: how handlers hold their
 * use case. A build that throws keeps nothing, so the next request builds again. Asynchronous
 * loads (secrets, keys, clients) use `adapters/lazy.ts`, which keeps only successful loads.
 *
 * @example
 * const register = once(registerUseCase);
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
