/**
 * A lazily built value, built on first call and kept: how handlers hold their use case for the
 * life of a Lambda container.
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
